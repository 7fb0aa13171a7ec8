package dev.batcher.service.transport;

import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.HandshakeCompleted;
import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.Welcome;
import dev.batcher.client.protocol.WireConfig;
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
 * <p>It lives with the daemon, not in the client jar: only the daemon accepts connections.
 *
 * <p>Once the peer's role is known, its frames are limited by role and type: a client's to
 * {@link WireConfig#clientMaxFrameLength()}, a worker's too except
 * {@code JOB_RESULT}, which may be as long as {@link WireConfig#maxFrameLength()}. A longer frame is
 * refused as soon as its length (or, from a worker, its type) arrives, before any of it is buffered.
 *
 * <p>The token is compared in constant time: both sides are hashed with SHA-256 and the digests
 * compared with {@link java.security.MessageDigest#isEqual}; the handler keeps only the digest.
 */
public final class ServerHandshakeHandler extends HandshakeHandler {
    private final Welcome welcome;
    private final byte[] tokenDigest;
    private final int clientMaxFrameLength;

    /**
     * @param tokenDigest the SHA-256 of the required token, or null to accept any or no token
     */
    ServerHandshakeHandler(Welcome welcome, byte[] tokenDigest, Duration timeout, int clientMaxFrameLength) {
        super(timeout);
        this.clientMaxFrameLength = clientMaxFrameLength;
        this.welcome = Objects.requireNonNull(welcome, "welcome");
        this.tokenDigest = tokenDigest == null ? null : tokenDigest.clone();
    }

    /**
     * Creates the handshake handler of one accepted channel.
     *
     * @param config limits and timings (the handshake timeout, the frame limit sent in {@code WELCOME})
     * @param serverVersion the daemon's version, sent in {@code WELCOME}
     * @param token the token every {@code HELLO} must carry, or null to require none
     * @return a new handler
     * @throws NullPointerException if {@code config} or {@code serverVersion} is null
     * @throws IllegalArgumentException if {@code token} is empty
     */
    public static ServerHandshakeHandler create(WireConfig config, String serverVersion, String token) {
        Welcome welcome = new Welcome(serverVersion, config.heartbeatInterval(), config.maxFrameLength());
        return new ServerHandshakeHandler(welcome, tokenDigest(token), config.handshakeTimeout(),
                config.clientMaxFrameLength());
    }

    private static byte[] tokenDigest(String token) {
        if (token == null) {
            return null;
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token: \"\" (expected: null for no token, or a non-empty secret)");
        }
        return Tokens.digest(token);
    }

    /** Tells whether this handler requires a token. */
    public boolean requiresToken() {
        return tokenDigest != null;
    }

    @Override
    protected String awaited() {
        return "HELLO";
    }

    @Override
    protected void onStart(ChannelHandlerContext ctx) {
        // The connecting end speaks first.
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != MessageType.HELLO) {
            throw new ProtocolException("type", frame.type(), "HELLO as the first frame");
        }
        Hello hello = Hello.decode(frame);
        if (tokenDigest != null && !Tokens.matches(tokenDigest, hello.token())) {
            throw new ProtocolException(ErrorFrames.CODE_UNAUTHORIZED, "hello.token",
                    hello.token() == null ? "absent" : "<redacted>",
                    "the token configured on the daemon");
        }
        boolean client = hello.role() == dev.batcher.client.protocol.Role.CLIENT;
        dev.batcher.client.protocol.FrameDecoder decoder = ctx.pipeline().get(dev.batcher.client.protocol.FrameDecoder.class);
        if (decoder != null) {
            decoder.limitByType(clientMaxFrameLength, client ? null : MessageType.JOB_RESULT, client
                    ? "the maximum length of a client's frames (serve --client-max-frame)"
                    : "the maximum length of a worker's frames other than JOB_RESULT (serve --client-max-frame)");
        }
        // WELCOME keeps the frame limit: peers also take it as the limit of the frames the daemon sends them.
        ctx.writeAndFlush(welcome.toFrame(frame.id()));
        succeed(ctx, new HandshakeCompleted(hello.withoutToken(), welcome));
    }
}
