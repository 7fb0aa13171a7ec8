package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when netty's leak detector (paranoid under surefire) reports a leaked buffer.
 * Best effort: a leak is only seen after the garbage collector has cleared the buffer, so this
 * collects garbage and then allocates to make the detector poll; a leak may still be blamed on a
 * later class. The deterministic check is {@link TrackingAllocator}; this is the net behind it.
 * Public so that the client tests ({@code dev.batcher.client}) use it too.
 */
public final class LeakCheck implements AfterAllCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:" + records));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                Unpooled.directBuffer(1).release();
                Unpooled.buffer(1).release();
            }
        }
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            leaks.add(leak);
        }
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " leak(s) reported by netty during " + context.getDisplayName()
                    + ":\n" + String.join("\n", leaks));
        }
    }
}
