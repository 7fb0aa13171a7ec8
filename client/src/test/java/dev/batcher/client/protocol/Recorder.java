package dev.batcher.client.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** A business handler for tests: keeps frames, user events and exceptions; thread-safe. */
public final class Recorder extends ChannelInboundHandlerAdapter {
    public final Queue<Frame> frames = new ConcurrentLinkedQueue<>();
    public final List<Object> events = new CopyOnWriteArrayList<>();
    public final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
    volatile boolean inactive;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame) {
            frames.add((Frame) msg);
        } else {
            ReferenceCountUtil.release(msg);
            throw new AssertionError("unexpected message " + msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        events.add(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        exceptions.add(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
    }

    /** Releases every frame still held. */
    public void releaseAll() {
        Frame frame;
        while ((frame = frames.poll()) != null) {
            frame.release();
        }
    }
}
