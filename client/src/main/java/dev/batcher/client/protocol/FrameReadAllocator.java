package dev.batcher.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.Objects;

/**
 * The receive-buffer allocator of a channel with a {@link FrameDecoder}: while the decoder is
 * receiving a large frame into its pre-sized buffer, the socket reads straight into that buffer's
 * free space (a retained slice of it), and the decoder only moves its writer index. Every byte of a
 * large frame is then copied once, by the kernel, as Python's {@code recv_into} does, instead of
 * into a receive buffer first and from there into the frame. Otherwise (small frames, headers, no
 * frame in progress) it hands out what {@code fallback} would.
 */
final class FrameReadAllocator implements RecvByteBufAllocator {
    private final RecvByteBufAllocator fallback;
    private final FrameDecoder decoder;

    FrameReadAllocator(RecvByteBufAllocator fallback, FrameDecoder decoder) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public Handle newHandle() {
        return new ReadHandle(fallback.newHandle());
    }

    private final class ReadHandle extends DelegatingHandle implements ExtendedHandle {
        /** Whether the last read went into a large frame's buffer, and how many did in this read burst. */
        private boolean inPlace;
        private int inPlaceReads;

        ReadHandle(Handle delegate) {
            super(delegate);
        }

        @Override
        public void reset(ChannelConfig config) {
            inPlaceReads = 0;
            super.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf target = decoder.readTarget();
            inPlace = target != null;
            return inPlace ? target : delegate().allocate(alloc);
        }

        @Override
        public boolean continueReading() {
            return readOnIntoFrame() || delegate().continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return readOnIntoFrame() || (delegate() instanceof ExtendedHandle extended
                    ? extended.continueReading(maybeMoreDataSupplier)
                    : delegate().continueReading());
        }

        /**
         * Into a large frame, read on while the socket has bytes: the delegate ends the burst at the first read
         * shorter than the buffer, which a multi-megabyte frame's remaining space always is, and every extra
         * burst costs a trip through the selector. The cap keeps the loop's other channels served.
         */
        private boolean readOnIntoFrame() {
            return inPlace && lastBytesRead() > 0 && ++inPlaceReads < MAX_IN_PLACE_READS;
        }
    }

    /** The most reads into a large frame in one read burst. */
    static final int MAX_IN_PLACE_READS = 64;
}
