package dev.batcher.client.wire;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.Objects;

/**
 * The daemon's side of the handshake: requires {@code HELLO} as the first frame, checks its protocol
 * version, fields and (if the daemon has one) token, then answers {@code WELCOME} and fires
 * {@link HandshakeCompleted} with the peer's role, name and slots. Any failure is answered with an
 * {@code ERROR} frame (code {@code protocol}, {@code unsupported_version}, {@code unauthorized} or
 * {@code timeout}) before the channel is closed. See {@link HandshakeHandler} for the life cycle.
 *
 * <p>The token is compared in constant time: both sides are hashed with SHA-256 and the digests
 * compared with {@link java.security.MessageDigest#isEqual}; the handler keeps only the digest.
 * Create instances with {@link WireInitializer}.
 */
public final class ServerHandshakeHandler extends HandshakeHandler {
    private final Welcome welcome;
    private final byte[] tokenDigest;

    /**
     * @param tokenDigest the SHA-256 of the required token, or null to accept any or no token
     */
    ServerHandshakeHandler(Welcome welcome, byte[] tokenDigest, Duration timeout) {
        super(timeout);
        this.welcome = Objects.requireNonNull(welcome, "welcome");
        this.tokenDigest = tokenDigest == null ? null : tokenDigest.clone();
    }

    /** Tells whether this handler requires a token. */
    public boolean requiresToken() {
        return tokenDigest != null;
    }

    @Override
    String awaited() {
        return "HELLO";
    }

    @Override
    void onStart(ChannelHandlerContext ctx) {
        // The connecting end speaks first.
    }

    @Override
    void onFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != MessageType.HELLO) {
            throw new ProtocolException("type", frame.type(), "HELLO as the first frame");
        }
        Hello hello = Hello.fromHeader(frame.header());
        if (tokenDigest != null && !Tokens.matches(tokenDigest, hello.token())) {
            throw new ProtocolException(ErrorFrames.CODE_UNAUTHORIZED, "hello.token",
                    hello.token() == null ? "absent" : "<redacted>",
                    "the token configured on the daemon");
        }
        ctx.writeAndFlush(Frame.of(MessageType.WELCOME, frame.id(), welcome.toHeader()));
        succeed(ctx, new HandshakeCompleted(hello.withoutToken(), welcome));
    }
}
