package dev.batcher.client;

import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.WireConfig;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link BatcherClient} connects and how long it waits. Start from {@link #defaults()} and
 * change what you need with the {@code with...} methods:
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.defaults()
 *         .withToken(System.getenv("BATCHER_TOKEN"))
 *         .withTakeTimeout(Duration.ofMinutes(2));
 * }</pre>
 *
 * @param token the shared secret the daemon requires (section 8 of {@code docs/protocol.md}), or
 *     null if it requires none; never logged ({@link #toString()} redacts it)
 * @param connectTimeout how long to wait for the TCP connection; the handshake then has
 *     {@link WireConfig#handshakeTimeout()} of {@code wire}
 * @param requestTimeout how long to wait for the answer to {@code create}, {@code start},
 *     {@code stop}, {@code status} and {@code list}
 * @param takeTimeout how long to wait for the answer to {@code take} (a batch may have to be
 *     materialised first)
 * @param wire the wire limits and timings (frame and header limits, heartbeats, handshake timeout,
 *     write-buffer water marks)
 * @param clientName the name sent in {@code HELLO}, shown in the daemon's logs; non-blank, at most
 *     {@value Hello#MAX_NAME_LENGTH} characters
 * @param eventLoopGroup a group to run the connection on, shared with other netty code and left
 *     running by {@link BatcherClient#close()}; it must use the NIO transport
 *     ({@code MultiThreadIoEventLoopGroup} with {@code NioIoHandler}). Null: the client creates
 *     a one-thread group of daemon threads and shuts it down when it is closed
 * @param prefetch whether {@code take} asks for the next batch as soon as it returns one, so that
 *     the next batch crosses the network while the caller trains on this one (a take at the state it
 *     returned then finds it ready; a take at any other state drops it)
 * @param sharedMemory whether batches may reach this client through the daemon's shared memory when
 *     it runs on the daemon's host (the default; no configuration needed): they are then read in
 *     place, not copied off a socket. False forces TCP.
 */
public record ClientOptions(String token, Duration connectTimeout, Duration requestTimeout,
        Duration takeTimeout, WireConfig wire, String clientName, EventLoopGroup eventLoopGroup, boolean prefetch,
        boolean sharedMemory) {
    /** Default {@link #connectTimeout()}: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #requestTimeout()}: 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #takeTimeout()}: 60 s. */
    public static final Duration DEFAULT_TAKE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Checks the options.
     *
     * @throws NullPointerException if a duration, {@code wire} or {@code clientName} is null
     * @throws IllegalArgumentException if {@code token} is empty, a duration is below one
     *     millisecond or above one day, or {@code clientName} is blank or longer than
     *     {@value Hello#MAX_NAME_LENGTH} characters
     */
    public ClientOptions {
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException(
                    "token: \"\" (expected: null for no token, or the daemon's non-empty token)");
        }
        checkDuration("connectTimeout", connectTimeout);
        checkDuration("requestTimeout", requestTimeout);
        checkDuration("takeTimeout", takeTimeout);
        Objects.requireNonNull(wire, "wire");
        Objects.requireNonNull(clientName, "clientName");
        if (clientName.isBlank() || clientName.length() > Hello.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("clientName: \"" + clientName
                    + "\" (expected: a non-blank name of at most " + Hello.MAX_NAME_LENGTH
                    + " characters)");
        }
    }

    private static void checkDuration(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: in [1 ms, 1 day])");
        }
    }

    /**
     * Returns the defaults: no token, 10 s to connect, 30 s per request, 60 s per {@code take},
     * {@link WireConfig#defaults()}, the name {@code java-client-<pid>}, a group of the client's
     * own, and no prefetching.
     *
     * @return the default options
     */
    public static ClientOptions defaults() {
        return new ClientOptions(null, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_TAKE_TIMEOUT, WireConfig.defaults(),
                "java-client-" + ProcessHandle.current().pid(), null, false, true);
    }

    /**
     * Returns a copy with another token.
     *
     * @param newToken the daemon's token, or null for none
     * @return the new options
     * @throws IllegalArgumentException if {@code newToken} is empty
     */
    public ClientOptions withToken(String newToken) {
        return copy(b -> b.token = newToken);
    }

    /**
     * Returns a copy with another connect timeout.
     *
     * @param timeout the new {@link #connectTimeout()}
     * @return the new options
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is outside [1 ms, 1 day]
     */
    public ClientOptions withConnectTimeout(Duration timeout) {
        return copy(b -> b.connectTimeout = timeout);
    }

    /**
     * Returns a copy with another timeout for every request but {@code take}.
     *
     * @param timeout the new {@link #requestTimeout()}
     * @return the new options
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is outside [1 ms, 1 day]
     */
    public ClientOptions withRequestTimeout(Duration timeout) {
        return copy(b -> b.requestTimeout = timeout);
    }

    /**
     * Returns a copy with another timeout for {@code take}.
     *
     * @param timeout the new {@link #takeTimeout()}
     * @return the new options
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is outside [1 ms, 1 day]
     */
    public ClientOptions withTakeTimeout(Duration timeout) {
        return copy(b -> b.takeTimeout = timeout);
    }

    /**
     * Returns a copy with other wire limits and timings.
     *
     * @param config the new {@link #wire()}
     * @return the new options
     * @throws NullPointerException if {@code config} is null
     */
    public ClientOptions withWire(WireConfig config) {
        return copy(b -> b.wire = config);
    }

    /**
     * Returns a copy with another client name.
     *
     * @param name the new {@link #clientName()}
     * @return the new options
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or too long
     */
    public ClientOptions withClientName(String name) {
        return copy(b -> b.clientName = name);
    }

    /**
     * Returns a copy that runs the connection on a shared group (or on a group of its own).
     *
     * @param group an NIO event loop group that the caller keeps and shuts down, or null for a
     *     group owned by the client
     * @return the new options
     */
    public ClientOptions withEventLoopGroup(EventLoopGroup group) {
        return copy(b -> b.eventLoopGroup = group);
    }

    /**
     * Returns a copy that prefetches the next batch, or not.
     *
     * @param on whether {@code take} asks for the next batch ahead
     * @return the new options
     */
    public ClientOptions withPrefetch(boolean on) {
        return copy(b -> b.prefetch = on);
    }

    /**
     * Returns a copy that accepts batches through shared memory on the daemon's host, or forces TCP.
     *
     * @param on whether shared memory may be used
     * @return the new options
     */
    public ClientOptions withSharedMemory(boolean on) {
        return copy(b -> b.sharedMemory = on);
    }

    /** Returns a copy with the changes {@code change} makes to a builder holding these options. */
    private ClientOptions copy(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return new ClientOptions(b.token, b.connectTimeout, b.requestTimeout, b.takeTimeout, b.wire, b.clientName,
                b.eventLoopGroup, b.prefetch, b.sharedMemory);
    }

    /** The fields of a copy being made: every {@code with} method changes one, the constructor checks them all. */
    private static final class Builder {
        String token;
        Duration connectTimeout;
        Duration requestTimeout;
        Duration takeTimeout;
        WireConfig wire;
        String clientName;
        EventLoopGroup eventLoopGroup;
        boolean prefetch;
        boolean sharedMemory;

        Builder(ClientOptions o) {
            token = o.token;
            connectTimeout = o.connectTimeout;
            requestTimeout = o.requestTimeout;
            takeTimeout = o.takeTimeout;
            wire = o.wire;
            clientName = o.clientName;
            eventLoopGroup = o.eventLoopGroup;
            prefetch = o.prefetch;
            sharedMemory = o.sharedMemory;
        }
    }

    /** Returns the options with the token redacted. */
    @Override
    public String toString() {
        return "ClientOptions[token=" + (token == null ? "absent" : "<redacted>") + ", connectTimeout="
                + connectTimeout + ", requestTimeout=" + requestTimeout + ", takeTimeout="
                + takeTimeout + ", wire=" + wire + ", clientName=" + clientName
                + ", eventLoopGroup=" + (eventLoopGroup == null ? "own" : "shared") + ", prefetch=" + prefetch + ", sharedMemory=" + sharedMemory + "]";
    }
}
