package dev.batcher.client.wire;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Installs the standard pipeline of a batcher connection and sets the transport options. The
 * pipeline, from the head (socket) to the tail:
 *
 * <pre>
 *  socket
 *    |  "idle"           IdleStateHandler   reader idle missed × interval, writer idle interval
 *    |  "frame-encoder"  {@link FrameEncoder}       Frame -&gt; bytes (outbound)
 *    |  "frame-decoder"  {@link FrameDecoder}       bytes -&gt; Frame (inbound)
 *    |  "handshake"      {@link ServerHandshakeHandler} or {@link ClientHandshakeHandler}; removes itself
 *    |  "heartbeat"      {@link HeartbeatHandler}   PING/PONG, read timeout
 *    v  "business"       yours: receives {@link HandshakeCompleted}, then Frames
 * </pre>
 *
 * The business handler receives every frame except {@code HELLO}, {@code WELCOME}, {@code PING} and
 * {@code PONG}, and must release them; it sees failures in {@code exceptionCaught} as
 * {@link ProtocolException}, {@link PeerTimeoutException} or
 * {@link dev.batcher.client.RemoteBatcherException} (plus I/O exceptions from the transport); the
 * wire handlers have already closed the channel in those cases.
 *
 * <p>Use {@link #server} or {@link #client} as the child handler of a bootstrap, or
 * {@link #installServer}/{@link #installClient} to build the pipeline yourself (for example on an
 * {@link io.netty.channel.embedded.EmbeddedChannel}).
 */
public final class WireInitializer extends ChannelInitializer<Channel> {
    /** Name of the idle detector in the pipeline. */
    public static final String IDLE = "idle";
    /** Name of the {@link FrameEncoder} in the pipeline. */
    public static final String ENCODER = "frame-encoder";
    /** Name of the {@link FrameDecoder} in the pipeline. */
    public static final String DECODER = "frame-decoder";
    /** Name of the handshake handler in the pipeline (until it removes itself). */
    public static final String HANDSHAKE = "handshake";
    /** Name of the {@link HeartbeatHandler} in the pipeline. */
    public static final String HEARTBEAT = "heartbeat";
    /** Name of the business handler added by {@link #server} and {@link #client}. */
    public static final String BUSINESS = "business";

    private final Consumer<ChannelPipeline> installer;
    private final Supplier<? extends ChannelHandler> business;

    private WireInitializer(Consumer<ChannelPipeline> installer,
            Supplier<? extends ChannelHandler> business) {
        this.installer = installer;
        this.business = Objects.requireNonNull(business, "business");
    }

    /**
     * Creates the initializer of the daemon's accepted channels.
     *
     * @param config limits and timings
     * @param serverVersion the daemon's version, sent in {@code WELCOME}
     * @param token the token every {@code HELLO} must carry, or null to require none
     * @param business creates the handler added last, once per channel (or returns one
     *     {@linkplain ChannelHandler.Sharable sharable} instance)
     * @return the initializer, sharable between channels
     * @throws NullPointerException if {@code config}, {@code serverVersion} or {@code business} is
     *     null
     * @throws IllegalArgumentException if {@code token} is empty
     */
    public static WireInitializer server(WireConfig config, String serverVersion, String token,
            Supplier<? extends ChannelHandler> business) {
        Welcome welcome = welcome(config, serverVersion);
        byte[] digest = tokenDigest(token);
        FrameEncoder encoder = new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength());
        return new WireInitializer(pipeline -> install(pipeline, config, encoder,
                new ServerHandshakeHandler(welcome, digest, config.handshakeTimeout())), business);
    }

    /**
     * Creates the initializer of a client's or worker's channel.
     *
     * @param config limits and timings
     * @param hello what this end says in its {@code HELLO}
     * @param business creates the handler added last, once per channel
     * @return the initializer
     * @throws NullPointerException if an argument is null
     */
    public static WireInitializer client(WireConfig config, Hello hello,
            Supplier<? extends ChannelHandler> business) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(hello, "hello");
        FrameEncoder encoder = new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength());
        return new WireInitializer(pipeline -> install(pipeline, config, encoder,
                new ClientHandshakeHandler(hello, config.handshakeTimeout())), business);
    }

    /**
     * Adds the daemon's wire handlers (everything but the business handler) at the end of a pipeline.
     *
     * @param pipeline the pipeline of an accepted channel
     * @param config limits and timings
     * @param serverVersion the daemon's version, sent in {@code WELCOME}
     * @param token the token every {@code HELLO} must carry, or null to require none
     * @return the handshake handler, whose {@link HandshakeHandler#handshakeFuture()} tells the outcome
     * @throws NullPointerException if {@code pipeline}, {@code config} or {@code serverVersion} is null
     * @throws IllegalArgumentException if {@code token} is empty, or a handler name is already taken
     *     in the pipeline
     */
    public static ServerHandshakeHandler installServer(ChannelPipeline pipeline, WireConfig config,
            String serverVersion, String token) {
        ServerHandshakeHandler handshake = new ServerHandshakeHandler(welcome(config, serverVersion),
                tokenDigest(token), config.handshakeTimeout());
        install(pipeline, config,
                new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength()), handshake);
        return handshake;
    }

    /**
     * Adds a client's or worker's wire handlers (everything but the business handler) at the end of
     * a pipeline. {@code HELLO} is sent when the channel becomes active (at once if it already is).
     *
     * @param pipeline the pipeline of a channel
     * @param config limits and timings
     * @param hello what this end says in its {@code HELLO}
     * @return the handshake handler, whose {@link HandshakeHandler#handshakeFuture()} tells the outcome
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a handler name is already taken in the pipeline
     */
    public static ClientHandshakeHandler installClient(ChannelPipeline pipeline, WireConfig config,
            Hello hello) {
        ClientHandshakeHandler handshake = new ClientHandshakeHandler(hello, config.handshakeTimeout());
        install(pipeline, config,
                new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength()), handshake);
        return handshake;
    }

    private static byte[] tokenDigest(String token) {
        if (token == null) {
            return null;
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token: \"\" (expected: null for no token, or a "
                    + "non-empty secret)");
        }
        return Tokens.digest(token);
    }

    private static Welcome welcome(WireConfig config, String serverVersion) {
        return new Welcome(serverVersion, config.heartbeatInterval(), config.maxFrameLength());
    }

    private static void install(ChannelPipeline pipeline, WireConfig config, FrameEncoder encoder,
            HandshakeHandler handshake) {
        HeartbeatHandler heartbeat =
                new HeartbeatHandler(config.heartbeatInterval(), config.missedHeartbeats());
        pipeline.addLast(IDLE, heartbeat.newIdleStateHandler());
        pipeline.addLast(ENCODER, encoder);
        pipeline.addLast(DECODER, new FrameDecoder(config.maxFrameLength(), config.maxHeaderLength()));
        pipeline.addLast(HANDSHAKE, handshake);
        pipeline.addLast(HEARTBEAT, heartbeat);
    }

    /**
     * Installs the wire handlers and then the business handler.
     *
     * @param channel the channel being initialised
     */
    @Override
    protected void initChannel(Channel channel) {
        installer.accept(channel.pipeline());
        channel.pipeline().addLast(BUSINESS, business.get());
    }

    /**
     * Sets the options of the daemon's accepted channels: {@code TCP_NODELAY} (small control frames
     * must not wait), {@code SO_KEEPALIVE}, and the write-buffer water marks of {@code config}.
     *
     * @param bootstrap the daemon's bootstrap
     * @param config supplies the water marks
     * @return {@code bootstrap}
     * @throws NullPointerException if an argument is null
     */
    public static ServerBootstrap applyOptions(ServerBootstrap bootstrap, WireConfig config) {
        return bootstrap.childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(config));
    }

    /**
     * Sets the options of a client's or worker's channel: {@code TCP_NODELAY}, {@code SO_KEEPALIVE},
     * the write-buffer water marks of {@code config}, and a connect timeout equal to the handshake
     * timeout.
     *
     * @param bootstrap the bootstrap of the connection
     * @param config supplies the water marks and timeout
     * @return {@code bootstrap}
     * @throws NullPointerException if an argument is null
     */
    public static Bootstrap applyOptions(Bootstrap bootstrap, WireConfig config) {
        return bootstrap.option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(config))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()));
    }

    private static WriteBufferWaterMark waterMark(WireConfig config) {
        return new WriteBufferWaterMark(config.writeBufferLowWaterMark(),
                config.writeBufferHighWaterMark());
    }

    /**
     * Returns the daemon's default bind address, the loopback interface: other machines cannot
     * connect unless the daemon is told to bind elsewhere (and then it should require a token).
     *
     * @param port the port, 0 for an ephemeral one
     * @return {@code 127.0.0.1:port} (or the platform's loopback address)
     * @throws IllegalArgumentException if {@code port} is outside {@code [0, 65535]}
     */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
