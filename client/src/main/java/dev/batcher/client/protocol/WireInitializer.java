package dev.batcher.client.protocol;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelConfig;
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
 *    |  "handshake"      the daemon's ServerHandshakeHandler or {@link ClientHandshakeHandler}; removes itself
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
 * <p>It also sets the channel's receive-buffer allocator to one that lets the socket read the rest of
 * a large frame straight into the decoder's buffer for it (one copy per byte, the kernel's).
 *
 * <p>Use {@link #of} or {@link #client} as the (child) handler of a bootstrap, or
 * {@link #install}/{@link #installClient} to build the pipeline yourself (for example on an
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
    /** Name of the business handler added by {@link #of} and {@link #client}. */
    public static final String BUSINESS = "business";

    private final Consumer<ChannelPipeline> installer;
    private final Supplier<? extends ChannelHandler> business;

    private WireInitializer(Consumer<ChannelPipeline> installer,
            Supplier<? extends ChannelHandler> business) {
        this.installer = installer;
        this.business = Objects.requireNonNull(business, "business");
    }

    /**
     * Creates an initializer with any handshake handler: the daemon passes its own
     * ({@code ServerHandshakeHandler}, which lives with the daemon, not in the client jar).
     *
     * @param config limits and timings
     * @param handshake creates the handshake handler, once per channel (handshake handlers hold state)
     * @param business creates the handler added last, once per channel (or returns one
     *     {@linkplain ChannelHandler.Sharable sharable} instance)
     * @return the initializer, sharable between channels
     * @throws NullPointerException if an argument is null
     */
    public static WireInitializer of(WireConfig config, Supplier<? extends HandshakeHandler> handshake,
            Supplier<? extends ChannelHandler> business) {
        return of(config, MemoryBudget.unlimited(), handshake, business);
    }

    /**
     * Creates an initializer whose frame decoders share a memory budget for frames still arriving:
     * what a daemon uses, so that no set of peers can make it hold more than the budget in partial
     * frames.
     *
     * @param config limits and timings
     * @param budget shared by the decoders of every channel this initializer sets up
     * @param handshake creates the handshake handler, once per channel
     * @param business creates the handler added last, once per channel
     * @return the initializer, sharable between channels
     * @throws NullPointerException if an argument is null
     */
    public static WireInitializer of(WireConfig config, MemoryBudget budget, Supplier<? extends HandshakeHandler> handshake,
            Supplier<? extends ChannelHandler> business) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(handshake, "handshake");
        FrameEncoder encoder = new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength());
        return new WireInitializer(pipeline -> install(pipeline, config, encoder, handshake.get(), budget), business);
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
                new ClientHandshakeHandler(hello, config.handshakeTimeout()), MemoryBudget.unlimited()), business);
    }

    /**
     * Adds the wire handlers (everything but the business handler) with a given handshake handler at
     * the end of a pipeline.
     *
     * @param <H> the type of the handshake handler
     * @param pipeline the pipeline of a channel
     * @param config limits and timings
     * @param handshake the handshake handler of this channel
     * @return {@code handshake}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a handler name is already taken in the pipeline
     */
    public static <H extends HandshakeHandler> H install(ChannelPipeline pipeline, WireConfig config, H handshake) {
        install(pipeline, config, new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength()),
                Objects.requireNonNull(handshake, "handshake"), MemoryBudget.unlimited());
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
                new FrameEncoder(config.maxFrameLength(), config.maxHeaderLength()), handshake, MemoryBudget.unlimited());
        return handshake;
    }

    private static void install(ChannelPipeline pipeline, WireConfig config, FrameEncoder encoder,
            HandshakeHandler handshake, MemoryBudget budget) {
        HeartbeatHandler heartbeat =
                new HeartbeatHandler(config.heartbeatInterval(), config.missedHeartbeats());
        pipeline.addLast(IDLE, heartbeat.newIdleStateHandler());
        pipeline.addLast(ENCODER, encoder);
        FrameDecoder decoder = new FrameDecoder(config.maxFrameLength(), config.maxHeaderLength(), budget);
        pipeline.addLast(DECODER, decoder);
        ChannelConfig channelConfig = pipeline.channel().config();
        channelConfig.setRecvByteBufAllocator(
                new FrameReadAllocator(channelConfig.getRecvByteBufAllocator(), decoder));
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
