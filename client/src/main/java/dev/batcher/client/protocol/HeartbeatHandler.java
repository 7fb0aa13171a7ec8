package dev.batcher.client.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a connection alive and detects a dead peer, with an {@link IdleStateHandler} at the head of
 * the pipeline (where it sees raw bytes, so a large frame still arriving counts as activity) and
 * this handler behind the handshake:
 * <ul>
 *   <li>after {@code interval} without writing anything, it sends {@code PING} (ids 1, 2, ...);</li>
 *   <li>it answers every {@code PING} with a {@code PONG} of the same id and swallows both;</li>
 *   <li>after {@code missed × interval} without reading anything, it sends an {@code ERROR} (code
 *       {@code timeout}, best effort), fires a {@link PeerTimeoutException} through
 *       {@code exceptionCaught} and closes the channel; {@code channelInactive} follows.</li>
 * </ul>
 * Since each end pings when it has been silent and the other answers at once, a live peer is heard
 * from at least every interval plus a round trip, whatever the two ends' intervals are; they need no
 * negotiation. No {@code PING} is sent while a {@link HandshakeHandler} is still in the pipeline.
 *
 * <p>Time comes from the channel's executor (its {@link io.netty.util.concurrent.Ticker}), so tests
 * drive it with {@code EmbeddedChannel.advanceTimeBy}. Create instances with
 * {@link WireInitializer}; {@link IdleStateEvent}s are consumed here.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
    private final Duration interval;
    private final int missed;
    private long nextPingId = 1;

    HeartbeatHandler(Duration interval, int missed) {
        this.interval = Objects.requireNonNull(interval, "interval");
        this.missed = missed;
        if (interval.toNanos() <= 0 || missed < 1) {
            throw new IllegalArgumentException("heartbeat: interval " + interval + ", missed " + missed
                    + " (expected: interval > 0, missed >= 1)");
        }
    }

    /** Returns the idle time after which a {@code PING} is sent. */
    public Duration interval() {
        return interval;
    }

    /** Returns how many intervals without reading anything close the connection. */
    public int missed() {
        return missed;
    }

    /** Creates the matching idle detector: reader idle {@code missed × interval}, writer idle {@code interval}. */
    IdleStateHandler newIdleStateHandler() {
        long intervalNanos = interval.toNanos();
        return new IdleStateHandler(false, intervalNanos * missed, intervalNanos, 0,
                TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        switch (((IdleStateEvent) evt).state()) {
            case WRITER_IDLE:
                if (ctx.pipeline().get(HandshakeHandler.class) == null) {
                    ctx.writeAndFlush(Frame.of(MessageType.PING, nextPingId++));
                }
                break;
            case READER_IDLE:
                Duration silence = interval.multipliedBy(missed);
                PeerTimeoutException timeout = new PeerTimeoutException("heartbeat", silence,
                        "nothing received from " + ctx.channel().remoteAddress() + " for "
                                + silence.toMillis() + " ms (" + missed + " heartbeat intervals of "
                                + interval.toMillis() + " ms)");
                ctx.writeAndFlush(ErrorFrames.rejection(timeout));
                ctx.fireExceptionCaught(timeout);
                ctx.close();
                break;
            default:
                break;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame) {
            Frame frame = (Frame) msg;
            if (frame.type() == MessageType.PING) {
                long id = frame.id();
                frame.release();
                ctx.writeAndFlush(Frame.of(MessageType.PONG, id));
                return;
            }
            if (frame.type() == MessageType.PONG) {
                frame.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
