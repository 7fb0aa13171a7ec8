package dev.batcher.client.protocol;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Objects;

/**
 * The connecting side of the handshake, for clients and workers: sends {@code HELLO} as soon as the
 * channel is active, then waits for {@code WELCOME} (success: fires {@link HandshakeCompleted}) or
 * {@code ERROR} (failure: closes and fails with a {@link dev.batcher.client.RemoteBatcherException}
 * carrying the daemon's code and message). Any other frame is a {@link ProtocolException}. See
 * {@link HandshakeHandler} for the life cycle. Do not send anything before the handshake completes.
 * Create instances with {@link WireInitializer}.
 */
final class ClientHandshakeHandler extends HandshakeHandler {
    private final Hello hello;

    ClientHandshakeHandler(Hello hello, Duration timeout) {
        super(timeout);
        this.hello = Objects.requireNonNull(hello, "hello");
    }

    /** Returns what this end says in its {@code HELLO} (the token included). */
    public Hello hello() {
        return hello;
    }

    @Override
    protected String awaited() {
        return "WELCOME";
    }

    @Override
    protected void onStart(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(hello.toFrame());
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case WELCOME:
                succeed(ctx, new HandshakeCompleted(hello.withoutToken(),
                        Welcome.decode(frame)));
                break;
            case ERROR:
                fail(ctx, ErrorFrames.toException(frame), false);
                break;
            default:
                throw new ProtocolException("type", frame.type(), "WELCOME or ERROR after HELLO");
        }
    }
}
