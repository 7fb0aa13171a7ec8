package dev.batcher.client.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first exchange of every connection: the connecting end (client or worker) sends
 * {@code HELLO}, the daemon answers {@code WELCOME} or {@code ERROR}. The daemon's part lives with
 * the daemon ({@code dev.batcher.service.transport.ServerHandshakeHandler}, not in the client jar);
 * {@link ClientHandshakeHandler} plays the connecting end's; {@link WireInitializer} installs either
 * right after the {@link FrameDecoder}.
 *
 * <p>While the handshake is under way the handler:
 * <ul>
 *   <li>lowers the decoder's frame limit to {@value #HANDSHAKE_MAX_FRAME_LENGTH} bytes, so an
 *       unauthenticated peer cannot make the daemon buffer a big frame;</li>
 *   <li>consumes every frame (none reaches the handlers behind it);</li>
 *   <li>gives the peer the handshake timeout, counted from {@code channelActive}.</li>
 * </ul>
 * On success it restores the frame limit, fires {@link HandshakeCompleted} down the pipeline,
 * completes {@link #handshakeFuture()} and removes itself. On failure (a violation, a wrong token or
 * version, an {@code ERROR} from the daemon, the timeout) it sends an {@code ERROR} frame when it is
 * the one rejecting, fails the future, fires the exception ({@link ProtocolException},
 * {@link PeerTimeoutException} or {@link dev.batcher.client.RemoteBatcherException}) through
 * {@code exceptionCaught} and closes the channel. If the channel closes first, the future fails with a
 * {@link BatcherClientException}.
 *
 * <p>The future is completed on the channel's event loop: do not block in its dependent stages.
 */
public abstract class HandshakeHandler extends ChannelInboundHandlerAdapter {
    /** The largest frame (length field value) accepted before the handshake completes: 64 KiB. */
    public static final int HANDSHAKE_MAX_FRAME_LENGTH = 64 << 10;

    private static final AttributeKey<CompletableFuture<HandshakeCompleted>> FUTURE =
            AttributeKey.valueOf(HandshakeHandler.class, "future");

    private enum State { PENDING, DONE, FAILED }

    private final CompletableFuture<HandshakeCompleted> future = new CompletableFuture<>();
    private final Duration timeout;
    private State state = State.PENDING;
    private boolean started;
    private io.netty.util.concurrent.Future<?> timeoutTask;

    /**
     * @param timeout how long the peer is given to complete the handshake
     * @throws NullPointerException if {@code timeout} is null
     */
    protected HandshakeHandler(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Returns the future of this handshake: completed with the {@link HandshakeCompleted} event, or
     * failed with the exception that ended the connection.
     */
    public CompletableFuture<HandshakeCompleted> handshakeFuture() {
        return future;
    }

    /**
     * Returns the handshake future of a channel, which stays available after the handler has removed
     * itself: the way a client awaits the handshake after {@code connect}.
     *
     * @param channel a channel whose pipeline got a handshake handler
     * @return the future of that handler
     * @throws IllegalStateException if no handshake handler was ever added to the channel
     */
    public static CompletableFuture<HandshakeCompleted> handshakeFuture(Channel channel) {
        CompletableFuture<HandshakeCompleted> future = channel.attr(FUTURE).get();
        if (future == null) {
            throw new IllegalStateException("channel " + channel + " has no handshake handler");
        }
        return future;
    }

    /** Returns how long the peer is given to complete the handshake. */
    public Duration timeout() {
        return timeout;
    }

    /** What this end waits for, for the timeout message. */
    protected abstract String awaited();

    /** Called once when the channel is active (the client sends HELLO here). */
    protected abstract void onStart(ChannelHandlerContext ctx);

    /**
     * Handles a frame while the handshake is pending; the frame is released by the caller.
     *
     * @throws ProtocolException if the frame violates the handshake
     */
    protected abstract void onFrame(ChannelHandlerContext ctx, Frame frame);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().attr(FUTURE).set(future);
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        if (decoder != null) {
            decoder.restrictFrameLength(HANDSHAKE_MAX_FRAME_LENGTH,
                    "the maximum frame length before the handshake completes");
        }
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        timeoutTask = ctx.executor().schedule(() -> timedOut(ctx), timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        onStart(ctx);
    }

    private void timedOut(ChannelHandlerContext ctx) {
        if (state == State.PENDING) {
            fail(ctx, new PeerTimeoutException("handshake", timeout, "no " + awaited() + " from "
                    + ctx.channel().remoteAddress() + " within " + timeout.toMillis() + " ms"), true);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Frame frame = (Frame) msg;
        try {
            if (state == State.PENDING) {
                onFrame(ctx, frame);
            }
        } catch (ProtocolException e) {
            fail(ctx, e, true);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    /** Completes the handshake: restores the limit, fires the event, completes the future, leaves. */
    protected final void succeed(ChannelHandlerContext ctx, HandshakeCompleted completed) {
        state = State.DONE;
        cancelTimeout();
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        if (decoder != null) {
            decoder.liftFrameLengthRestriction();
        }
        ctx.fireUserEventTriggered(completed);
        future.complete(completed);
        ctx.pipeline().remove(this);
    }

    /** Fails the handshake: optionally tells the peer why, closes, fails the future, fires. */
    protected final void fail(ChannelHandlerContext ctx, RuntimeException failure, boolean tellPeer) {
        state = State.FAILED;
        cancelTimeout();
        if (tellPeer && failure instanceof WireException violation) {
            ctx.writeAndFlush(ErrorFrames.rejection(violation));
        }
        future.completeExceptionally(failure);
        ctx.fireExceptionCaught(failure);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.PENDING) {
            state = State.FAILED;
            cancelTimeout();
            future.completeExceptionally(cause);
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.PENDING) {
            state = State.FAILED;
            cancelTimeout();
            future.completeExceptionally(new WireException("connection to "
                    + ctx.channel().remoteAddress() + " closed before the handshake completed"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    private void cancelTimeout() {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
    }
}
