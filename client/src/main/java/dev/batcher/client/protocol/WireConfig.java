package dev.batcher.client.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timings of a connection, the same for both ends unless stated.
 *
 * @param maxFrameLength the largest accepted value of the length field (bytes after it), in
 *     {@code [}{@value #MIN_MAX_FRAME_LENGTH}{@code , }{@value #MAX_FRAME_LENGTH_CEILING}{@code ]}
 * @param maxHeaderLength the largest accepted JSON header in bytes, in {@code [1024, maxFrameLength
 *     - 15]}
 * @param heartbeatInterval after this long without writing, an end sends {@code PING}
 * @param missedHeartbeats after this many intervals without reading anything, an end closes the
 *     connection; at least 2, so that one late {@code PONG} is tolerated
 * @param handshakeTimeout how long the daemon waits for {@code HELLO} and a client or worker for
 *     {@code WELCOME}
 * @param writeBufferLowWaterMark bytes queued for writing below which the channel becomes writable
 *     again
 * @param writeBufferHighWaterMark bytes queued for writing above which the channel reports itself
 *     unwritable; senders of big payloads must wait for writability
 * @param memoryBudget bytes a daemon's frame decoders may hold in all for large frames still
 *     arriving, shared by every connection (a {@link MemoryBudget}); clients ignore it
 * @param clientMaxFrameLength the largest length field a daemon accepts from a client, and from a
 *     worker in any frame but {@code JOB_RESULT} (the only message that carries a tensor to the
 *     daemon), in {@code [}{@value #MIN_MAX_FRAME_LENGTH}{@code , maxFrameLength]}; clients and
 *     workers ignore it
 */
public record WireConfig(int maxFrameLength, int maxHeaderLength, Duration heartbeatInterval,
        int missedHeartbeats, Duration handshakeTimeout, int writeBufferLowWaterMark,
        int writeBufferHighWaterMark, long memoryBudget, int clientMaxFrameLength) {
    /** Default {@link #maxFrameLength()}: 256 MiB, room for a 32 × 256 × 7680 float32 batch. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 256 << 20;
    /** The highest {@link #maxFrameLength()} allowed: 1 GiB. */
    public static final int MAX_FRAME_LENGTH_CEILING = 1 << 30;
    /** The lowest {@link #maxFrameLength()} allowed: 64 KiB, so that error frames always fit. */
    public static final int MIN_MAX_FRAME_LENGTH = 64 << 10;
    /** Default {@link #maxHeaderLength()}: 1 MiB. */
    public static final int DEFAULT_MAX_HEADER_LENGTH = 1 << 20;
    /** Default {@link #heartbeatInterval()}: 5 s. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    /** Default {@link #missedHeartbeats()}: 3. */
    public static final int DEFAULT_MISSED_HEARTBEATS = 3;
    /** Default {@link #handshakeTimeout()}: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #writeBufferLowWaterMark()}: 8 MiB. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 8 << 20;
    /** Default {@link #writeBufferHighWaterMark()}: 16 MiB, about two 7.9 MB batches. */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 16 << 20;
    /** Default {@link #memoryBudget()}: 512 MiB, two frames of the default maximum length. */
    public static final long DEFAULT_MEMORY_BUDGET = 512L << 20;
    /**
     * Default {@link #clientMaxFrameLength()}: 4 MiB. A client's messages are JSON headers (at most
     * {@link #DEFAULT_MAX_HEADER_LENGTH}) without payload.
     */
    public static final int DEFAULT_CLIENT_MAX_FRAME_LENGTH = 4 << 20;

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a duration is null
     * @throws IllegalArgumentException if a field is out of the range given in the class comment,
     *     a duration is below one millisecond, or the low water mark exceeds the high one
     */
    public WireConfig {
        if (maxFrameLength < MIN_MAX_FRAME_LENGTH || maxFrameLength > MAX_FRAME_LENGTH_CEILING) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: in ["
                    + MIN_MAX_FRAME_LENGTH + ", " + MAX_FRAME_LENGTH_CEILING + "])");
        }
        if (maxHeaderLength < 1024 || maxHeaderLength > maxFrameLength - Frame.FIXED_FIELDS_LENGTH) {
            throw new IllegalArgumentException("maxHeaderLength: " + maxHeaderLength
                    + " (expected: in [1024, " + (maxFrameLength - Frame.FIXED_FIELDS_LENGTH) + "])");
        }
        checkMillis("heartbeatInterval", heartbeatInterval);
        checkMillis("handshakeTimeout", handshakeTimeout);
        if (missedHeartbeats < 2 || missedHeartbeats > 1000) {
            throw new IllegalArgumentException(
                    "missedHeartbeats: " + missedHeartbeats + " (expected: in [2, 1000])");
        }
        if (memoryBudget < MIN_MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("memoryBudget: " + memoryBudget + " (expected: >= " + MIN_MAX_FRAME_LENGTH
                    + " bytes)");
        }
        if (clientMaxFrameLength < MIN_MAX_FRAME_LENGTH || clientMaxFrameLength > maxFrameLength) {
            throw new IllegalArgumentException("clientMaxFrameLength: " + clientMaxFrameLength + " (expected: in ["
                    + MIN_MAX_FRAME_LENGTH + ", " + maxFrameLength + "], the maximum frame length)");
        }
        if (writeBufferLowWaterMark < 1 || writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("writeBufferWaterMark: low " + writeBufferLowWaterMark
                    + ", high " + writeBufferHighWaterMark + " (expected: 1 <= low <= high)");
        }
    }

    /**
     * Creates a configuration whose {@link #clientMaxFrameLength()} is the default (or {@code
     * maxFrameLength}, if lower).
     *
     * @throws NullPointerException if a duration is null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public WireConfig(int maxFrameLength, int maxHeaderLength, Duration heartbeatInterval, int missedHeartbeats,
            Duration handshakeTimeout, int writeBufferLowWaterMark, int writeBufferHighWaterMark, long memoryBudget) {
        this(maxFrameLength, maxHeaderLength, heartbeatInterval, missedHeartbeats, handshakeTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, memoryBudget, Math.min(DEFAULT_CLIENT_MAX_FRAME_LENGTH, maxFrameLength));
    }

    private static void checkMillis(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.toNanos() < 1_000_000 || value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: in [1 ms, 1 day])");
        }
    }

    /** Returns the defaults: 256 MiB frames, 1 MiB headers, 5 s heartbeats, 3 missed, 10 s handshake. */
    public static WireConfig defaults() {
        return new WireConfig(DEFAULT_MAX_FRAME_LENGTH, DEFAULT_MAX_HEADER_LENGTH,
                DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_MISSED_HEARTBEATS, DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK, DEFAULT_MEMORY_BUDGET);
    }

    /**
     * Returns a copy with another frame limit; the header limit is lowered to fit if needed.
     *
     * @param maxFrameLength the new {@link #maxFrameLength()}
     * @return the new configuration
     * @throws IllegalArgumentException if the value is out of range
     */
    public WireConfig withMaxFrameLength(int maxFrameLength) {
        int header = Math.min(maxHeaderLength, Math.max(1024, maxFrameLength - Frame.FIXED_FIELDS_LENGTH));
        return new WireConfig(maxFrameLength, header, heartbeatInterval, missedHeartbeats,
                handshakeTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, memoryBudget,
                Math.min(clientMaxFrameLength, maxFrameLength));
    }

    /**
     * Returns a copy with other heartbeat settings.
     *
     * @param interval the new {@link #heartbeatInterval()}
     * @param missed the new {@link #missedHeartbeats()}
     * @return the new configuration
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if a value is out of range
     */
    public WireConfig withHeartbeat(Duration interval, int missed) {
        return new WireConfig(maxFrameLength, maxHeaderLength, interval, missed, handshakeTimeout,
                writeBufferLowWaterMark, writeBufferHighWaterMark, memoryBudget, clientMaxFrameLength);
    }

    /**
     * Returns a copy with another handshake timeout.
     *
     * @param timeout the new {@link #handshakeTimeout()}
     * @return the new configuration
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if the value is out of range
     */
    public WireConfig withHandshakeTimeout(Duration timeout) {
        return new WireConfig(maxFrameLength, maxHeaderLength, heartbeatInterval, missedHeartbeats,
                timeout, writeBufferLowWaterMark, writeBufferHighWaterMark, memoryBudget, clientMaxFrameLength);
    }

    /**
     * Returns a copy with other write-buffer water marks.
     *
     * @param low the new {@link #writeBufferLowWaterMark()}
     * @param high the new {@link #writeBufferHighWaterMark()}
     * @return the new configuration
     * @throws IllegalArgumentException if {@code low < 1} or {@code high < low}
     */
    public WireConfig withWriteBufferWaterMark(int low, int high) {
        return new WireConfig(maxFrameLength, maxHeaderLength, heartbeatInterval, missedHeartbeats,
                handshakeTimeout, low, high, memoryBudget, clientMaxFrameLength);
    }

    /**
     * Returns a copy with another memory budget: the bytes a daemon may hold, over all its
     * connections, for large frames still arriving (see {@link FrameDecoder}); a frame that would
     * exceed it is refused and its connection closed (code {@code overloaded}).
     *
     * @param bytes the new {@link #memoryBudget()}, at least {@link #MIN_MAX_FRAME_LENGTH}
     * @return the new configuration
     * @throws IllegalArgumentException if the value is out of range
     */
    public WireConfig withMemoryBudget(long bytes) {
        return new WireConfig(maxFrameLength, maxHeaderLength, heartbeatInterval, missedHeartbeats,
                handshakeTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, bytes, clientMaxFrameLength);
    }

    /**
     * Returns a copy with another limit on a client's frames (and a worker's frames other than
     * {@code JOB_RESULT}), which the daemon applies once the handshake says the peer's role.
     *
     * @param bytes the new {@link #clientMaxFrameLength()}
     * @return the new configuration
     * @throws IllegalArgumentException if the value is out of range
     */
    public WireConfig withClientMaxFrameLength(int bytes) {
        return new WireConfig(maxFrameLength, maxHeaderLength, heartbeatInterval, missedHeartbeats,
                handshakeTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, memoryBudget, bytes);
    }

    /** Returns how long an end waits without reading anything before closing: interval × missed. */
    public Duration readTimeout() {
        return heartbeatInterval.multipliedBy(missedHeartbeats);
    }
}
