package dev.batcher.service.transport;

import dev.batcher.client.protocol.TensorHeader;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.arena.Arena;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.client.protocol.ArenaRef;
import dev.batcher.client.protocol.BatchMessage;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.HandshakeCompleted;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.Welcome;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.Release;
import dev.batcher.client.protocol.Request;
import dev.batcher.service.TestData;
import dev.batcher.service.manager.Manager;
import dev.batcher.service.manager.RetryPolicy;
import dev.batcher.service.pool.LocalWorker;
import dev.batcher.service.pool.MaterializerCache;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client-request handler of a same-host client on an {@link EmbeddedChannel}: a batch in shared
 * memory is answered by reference, held until the client's {@code RELEASE}, and freed when the
 * connection closes.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class ClientRequestHandlerSharedMemoryTest {
    private static final BatchState INIT = BatchState.initial(9);

    @TempDir
    Path dir;

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final MaterializerCache materializers = new MaterializerCache(List.of(), 8, Kernels.defaults());
    private volatile Arena arena;
    private final Manager manager = new Manager(pool, RetryPolicy.defaults(), System::nanoTime, List.of(), (spec, first, slots) ->
            arena = Arena.create(dir, 1, slots, materializers.get(spec.dataset(), spec.options()).layout(first).bytes()));
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private final ExecutorService materialize = Executors.newSingleThreadExecutor();
    private final LinkedBlockingQueue<Runnable> hops = new LinkedBlockingQueue<>();
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
            drain();
            channel.finishAndReleaseAll();
        }
        manager.close();
        blocking.shutdownNow();
        materialize.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        materializers.close();
    }

    private void drain() {
        Runnable r;
        while ((r = hops.poll()) != null) {
            r.run();
        }
        channel.runPendingTasks();
    }

    private List<Frame> answers(int n) {
        List<Frame> got = new ArrayList<>();
        await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
            drain();
            Frame f;
            while ((f = channel.readOutbound()) != null) {
                got.add(f);
            }
            return got.size() >= n;
        });
        return got;
    }

    /** Free slots, once the batcher's window is full again (so only held batches make a difference). */
    private int freeWhenIdle(int expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> arena.free() == expected);
        return arena.free();
    }

    @Test
    void take_sameHostClient_answersASlotReferenceHeldUntilReleaseAndFreedOnClose() {
        pool.join(new LocalWorker("local", 1, materialize, materializers, UnpooledByteBufAllocator.DEFAULT));
        channel = new EmbeddedChannel(new ClientRequestHandler(manager, blocking, "test", 4, 64, hops::add, true));
        BatcherSpec spec = BatcherSpec.of(TestData.dataset().toString(), new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null))
                .withCapacity(3);
        channel.writeInbound(new Request.Create("b", spec).toFrame(1));
        channel.writeInbound(new Request.Start("b", INIT).toFrame(2));
        answers(2).forEach(Frame::release);
        channel.writeInbound(new Request.Take("b", INIT).toFrame(3));
        channel.writeInbound(new Request.Take("b", INIT.next()).toFrame(4));
        List<Frame> batches = answers(2);
        for (Frame f : batches) {
            try {
                BatchMessage m = BatchMessage.decode(f);
                ArenaRef ref = m.arena();
                assertNotNull(ref, "a same-host client gets a slot reference: " + f);
                assertEquals(0, f.payload().readableBytes());
                assertEquals(arena.path().toString(), ref.file());
                assertEquals(TensorHeader.payloadBytes(m.tensors()), ref.bytes());
                assertEquals(arena.offset(ref.slot()), ref.offset());
            } finally {
                f.release();
            }
        }
        // 3 + 4 slots: 3 for the refilled window, 2 held by the client.
        assertEquals(2, freeWhenIdle(2));
        channel.writeInbound(Release.toFrame(3));
        assertEquals(3, freeWhenIdle(3), "RELEASE frees the slot of take 3");
        channel.writeInbound(Release.toFrame(3));
        channel.writeInbound(Release.toFrame(99));
        assertEquals(3, freeWhenIdle(3), "a second RELEASE, or one of an unknown id, is ignored");
        channel.close();
        drain();
        assertTrue(freeWhenIdle(4) == 4, "closing the connection frees the slot the client still held");
    }

    @Test
    void handshake_clientOfAnotherHostOrOfferingNothing_getsPayloadsOverTcp() {
        pool.join(new LocalWorker("local", 1, materialize, materializers, UnpooledByteBufAllocator.DEFAULT));
        BatcherSpec spec = BatcherSpec.of(TestData.dataset().toString(), new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null));
        String[] peers = {"boot:another-host", null, Arena.hostId()};
        for (int k = 0; k < peers.length; k++) {
            channel = new EmbeddedChannel(new ConnectionHandler(manager, blocking, ResultShapes.none(), Arena.hostId()));
            channel.pipeline().fireUserEventTriggered(new HandshakeCompleted(Hello.client("c" + k, null).withHost(peers[k]),
                    new Welcome("test", Duration.ofSeconds(5), 1 << 20)));
            channel.writeInbound(new Request.Create("b", spec).toFrame(1));
            channel.writeInbound(new Request.Start("b", INIT).toFrame(2));
            answers(2).forEach(Frame::release);
            channel.writeInbound(new Request.Take("b", INIT).toFrame(3));
            Frame f = answers(1).get(0);
            try {
                BatchMessage m = BatchMessage.decode(f);
                boolean sameHost = k == 2;
                assertEquals(sameHost, m.arena() != null, "peer host " + peers[k] + ": " + f);
                assertEquals(sameHost ? 0 : TensorHeader.payloadBytes(m.tensors()), f.payload().readableBytes());
            } finally {
                f.release();
            }
            channel.writeInbound(new Request.Stop("b").toFrame(4));
            answers(1).forEach(Frame::release);
            channel.close();
            drain();
            channel.finishAndReleaseAll();
        }
        channel = null;
    }
}
