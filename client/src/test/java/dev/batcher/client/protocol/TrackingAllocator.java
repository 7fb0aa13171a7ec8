package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * An unpooled allocator that remembers every buffer it hands out (unpooled, so that no instance is
 * recycled for another allocation) and the capacities requested. Thread-safe. Public so that the
 * client tests ({@code dev.batcher.client}) use it too.
 */
public final class TrackingAllocator implements ByteBufAllocator {
    private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(true);
    private final Queue<ByteBuf> buffers = new ConcurrentLinkedQueue<>();
    private final AtomicLong requestedBytes = new AtomicLong();
    private final AtomicLong largestRequest = new AtomicLong();

    private <T extends ByteBuf> T track(T buf, int initialCapacity) {
        buffers.add(buf);
        requestedBytes.addAndGet(initialCapacity);
        largestRequest.accumulateAndGet(initialCapacity, Math::max);
        return buf;
    }

    /** Total initial capacity of every buffer handed out. */
    long requestedBytes() {
        return requestedBytes.get();
    }

    /** The largest initial capacity requested. */
    public long largestRequest() {
        return largestRequest.get();
    }

    public int allocations() {
        return buffers.size();
    }

    /** Fails if any buffer handed out still has a positive reference count. */
    public void assertAllReleased() {
        List<ByteBuf> live = buffers.stream().filter(b -> b.refCnt() > 0).collect(Collectors.toList());
        if (!live.isEmpty()) {
            fail(live.size() + " of " + buffers.size() + " buffers not released: " + live);
        }
    }

    public boolean allReleased() {
        return buffers.stream().allMatch(b -> b.refCnt() == 0);
    }

    @Override
    public ByteBuf buffer() {
        return track(delegate.buffer(), 256);
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return track(delegate.buffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return track(delegate.buffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer() {
        return track(delegate.ioBuffer(), 256);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return track(delegate.ioBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.ioBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer() {
        return track(delegate.heapBuffer(), 256);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return track(delegate.heapBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.heapBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer() {
        return track(delegate.directBuffer(), 256);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return track(delegate.directBuffer(initialCapacity), initialCapacity);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return track(delegate.directBuffer(initialCapacity, maxCapacity), initialCapacity);
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return track(delegate.compositeBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return track(delegate.compositeBuffer(maxNumComponents), 0);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return track(delegate.compositeHeapBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(delegate.compositeHeapBuffer(maxNumComponents), 0);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return track(delegate.compositeDirectBuffer(), 0);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(delegate.compositeDirectBuffer(maxNumComponents), 0);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
