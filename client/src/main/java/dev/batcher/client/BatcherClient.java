package dev.batcher.client;

import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.Response;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.arena.ArenaViews;
import dev.batcher.client.protocol.WireInitializer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a batcher daemon, shared by the {@link BatcherHandle}s made from it. It speaks the
 * protocol of {@code docs/protocol.md} over one TCP connection (netty, NIO transport): every
 * request gets an id, any number of requests may wait at once (from any threads), and each answer
 * completes the request with its id.
 *
 * <pre>{@code
 * try (BatcherClient client = BatcherClient.connect(new InetSocketAddress("127.0.0.1", 4242), token)) {
 *     BatcherHandle train = client.batcher("train");
 *     ...
 * }
 * }</pre>
 *
 * <h2>Timeouts</h2>
 * A request that gets no answer within {@link ClientOptions#requestTimeout()} (for {@code take}:
 * {@link ClientOptions#takeTimeout()}) fails with a {@link BatcherTimeoutException}, and the client
 * sends the daemon a {@code CANCEL} for it. The connection stays up.
 *
 * <h2>Reconnection</h2>
 * If the connection breaks, every waiting request fails with a {@link ConnectionLostException} that
 * names the address and the cause. Nothing is retried behind the caller's back; the next call (on
 * the client or any of its handles) connects again. If the daemon restarted meanwhile, each handle
 * restores what it had set up before its next request: it sends {@code create} again with the spec
 * it created the batcher with, and, if its user had started the batcher (and not stopped it since),
 * it sends {@code start} again before the next {@code take}, at the state of that take. A training
 * loop that keeps its state and calls {@code take(state)} again after a {@code
 * ConnectionLostException} therefore resumes exactly where it was.
 *
 * <h2>Threads</h2>
 * Thread-safe. Calls block the calling thread until the answer arrives or the timeout expires;
 * never call them on the connection's event loop (they throw {@link IllegalStateException}). An
 * interrupted call restores the interrupt flag, cancels its request and throws a
 * {@link BatcherClientException} naming the operation.
 */
public final class BatcherClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatcherClient.class);
    /** How long {@link #close()} waits for the channel to close and the own group to stop. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final InetSocketAddress address;
    private final ClientOptions options;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Dialer dialer;
    /** The daemon's arenas this client maps, read-only, for batches in shared memory. */
    private final ArenaViews arenas = new ArenaViews(false, 8);
    private final Object connectLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Connection current;
    /** Connections made so far; guarded by {@link #connectLock}. */
    private long connections;

    private BatcherClient(InetSocketAddress address, ClientOptions options, ByteBufAllocator allocator) {
        this.address = address;
        this.options = options;
        this.ownsGroup = options.eventLoopGroup() == null;
        this.group = ownsGroup
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("batcher-client", true),
                        NioIoHandler.newFactory())
                : options.eventLoopGroup();
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class);
        WireInitializer.applyOptions(b, options.wire());
        b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
        if (allocator != null) {
            b.option(ChannelOption.ALLOCATOR, allocator);
        }
        this.dialer = new Dialer(address, options, b);
    }

    /**
     * Connects to a daemon that requires no token, with {@link ClientOptions#defaults()}.
     *
     * @param address the daemon's address, such as {@code new InetSocketAddress("127.0.0.1", 4242)}
     * @return a connected client; close it when done
     * @throws NullPointerException if {@code address} is null
     * @throws ConnectionLostException if the connection cannot be established or the handshake does
     *     not complete in time
     * @throws RemoteBatcherException if the daemon rejects the handshake (code {@code unauthorized}:
     *     it requires a token; {@code unsupported_version})
     * @throws BatcherClientException if the thread is interrupted while connecting (the interrupt
     *     flag is restored)
     */
    public static BatcherClient connect(InetSocketAddress address) {
        return connect(address, ClientOptions.defaults());
    }

    /**
     * Connects with a token and otherwise {@link ClientOptions#defaults()}.
     *
     * @param address the daemon's address
     * @param token the daemon's token, or null if it requires none
     * @return a connected client; close it when done
     * @throws NullPointerException if {@code address} is null
     * @throws IllegalArgumentException if {@code token} is empty
     * @throws ConnectionLostException if the connection cannot be established or the handshake does
     *     not complete in time
     * @throws RemoteBatcherException if the daemon rejects the handshake (code {@code unauthorized}:
     *     the token is wrong or missing; {@code unsupported_version})
     * @throws BatcherClientException if the thread is interrupted while connecting (the interrupt
     *     flag is restored)
     */
    public static BatcherClient connect(InetSocketAddress address, String token) {
        return connect(address, ClientOptions.defaults().withToken(token));
    }

    /**
     * Connects with explicit options.
     *
     * @param address the daemon's address
     * @param options the token, timeouts, wire settings, name and event loop group
     * @return a connected client; close it when done
     * @throws NullPointerException if an argument is null
     * @throws ConnectionLostException if the connection cannot be established or the handshake does
     *     not complete in time
     * @throws RemoteBatcherException if the daemon rejects the handshake (code {@code unauthorized}:
     *     the token is wrong or missing; {@code unsupported_version})
     * @throws BatcherClientException if the thread is interrupted while connecting (the interrupt
     *     flag is restored)
     * @throws IllegalStateException if called on a thread of the options' event loop group
     */
    public static BatcherClient connect(InetSocketAddress address, ClientOptions options) {
        return connect(address, options, null);
    }

    /** As {@link #connect(InetSocketAddress, ClientOptions)}, with the channel's allocator (tests). */
    static BatcherClient connect(InetSocketAddress address, ClientOptions options,
            ByteBufAllocator allocator) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        BatcherClient client = new BatcherClient(address, options, allocator);
        try {
            client.connection(null);
            return client;
        } catch (RuntimeException | Error e) {
            try {
                client.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Returns the daemon's address. */
    public InetSocketAddress address() {
        return address;
    }

    /** Returns the options the client was made with. */
    public ClientOptions options() {
        return options;
    }

    /** Returns the arenas this client has mapped. */
    ArenaViews arenas() {
        return arenas;
    }

    /**
     * Returns a handle on the batcher of that name. Nothing is sent: use the handle to create,
     * start, take from, stop or query the batcher. Each call returns a new handle; a handle remembers
     * what it created and started, for reconnection.
     *
     * @param name the batcher's name on the daemon
     * @return a new handle
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws IllegalStateException if the client is closed
     */
    public BatcherHandle batcher(String name) {
        if (name == null) {
            throw new NullPointerException("name: null (expected: a batcher name)");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-blank batcher name)");
        }
        checkOpen("batcher");
        return new BatcherHandle(this, name);
    }

    /**
     * Lists the daemon's batchers with their status.
     *
     * @return the status of every batcher, in the daemon's order
     * @throws IllegalStateException if the client is closed, or called on its event loop
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established
     * @throws BatcherTimeoutException if the daemon does not answer within
     *     {@link ClientOptions#requestTimeout()}
     * @throws RemoteBatcherException if the daemon answers with an error
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored)
     */
    public List<BatcherStatus> list() {
        Connection connection = connection(Op.LIST.wireName());
        Frame answer = connection.call(new Request.ListQuery(), options.requestTimeout());
        return Requests.response(answer, Op.LIST, null, Response.Listing.class).batchers();
    }

    /**
     * Returns the open connection, connecting (again) if there is none.
     *
     * @param what the operation that needs it, such as {@code take on batcher 'train'}, for
     *     messages; null for the first connection made by {@code connect}
     */
    Connection connection(String what) {
        String op = what == null ? "connect" : what;
        checkOpen(op);
        checkNotOnEventLoop(op);
        Connection c = current;
        if (c != null && c.usable()) {
            return c;
        }
        synchronized (connectLock) {
            checkOpen(op);
            c = current;
            if (c != null && c.usable()) {
                return c;
            }
            if (c != null) {
                c.channel().close();
                LOG.info("reconnecting to {} for {}", address, op);
            }
            current = null;
            c = dialer.open(++connections, what == null ? "" : " for " + what);
            current = c;
        }
        if (closed.get()) {
            c.channel().close();
            throw new IllegalStateException("client to " + address + " is closed (" + op + ")");
        }
        return c;
    }

    /** Tells whether the client has a usable connection now (it would not reconnect). */
    boolean isConnected() {
        Connection c = current;
        return c != null && c.usable();
    }

    /** Returns the current connection, or null; for tests. */
    Connection currentConnection() {
        return current;
    }

    private void checkOpen(String op) {
        if (closed.get()) {
            throw new IllegalStateException("client to " + address + " is closed (" + op + ")");
        }
    }

    private void checkNotOnEventLoop(String op) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException(op + " called on an event loop thread of the "
                        + "client's group; blocking there would deadlock the connection");
            }
        }
    }

    /**
     * Closes the connection (saying {@code GOODBYE}) and, unless the group was given in the options,
     * stops the client's event loop. Nothing is stopped on the daemon: batchers keep running until
     * stopped or until the daemon notices the client is gone. Requests still waiting fail with a
     * {@link ConnectionLostException}; further calls throw {@link IllegalStateException}. Batches
     * already taken stay valid until closed. Idempotent.
     *
     * @throws BatcherClientException if the thread is interrupted while waiting for the connection
     *     to close (the interrupt flag is restored; the shutdown still proceeds in the background)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Connection c;
        synchronized (connectLock) {
            c = current;
            current = null;
        }
        try {
            if (c != null) {
                c.close(CLOSE_WAIT);
            }
            if (ownsGroup) {
                group.shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                        .await(CLOSE_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            if (ownsGroup) {
                group.shutdownGracefully(0, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            Thread.currentThread().interrupt();
            throw new BatcherClientException("close of the client to " + address + " interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "BatcherClient[" + address + (closed.get() ? ", closed]"
                : isConnected() ? ", connected]" : ", disconnected]");
    }
}
