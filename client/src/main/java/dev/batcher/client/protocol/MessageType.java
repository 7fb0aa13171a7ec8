package dev.batcher.client.protocol;

/**
 * The type of a {@link Frame}, with the stable one-byte code it has on the wire. Codes never change
 * meaning; new types get new codes. {@code docs/protocol.md} lists who sends each type and its
 * header fields.
 */
public enum MessageType {
    /** Client or worker to daemon, first frame of a connection: protocol version, role, name, token. */
    HELLO(0x01),
    /** Daemon to client or worker: the handshake succeeded. */
    WELCOME(0x02),
    /** Either direction: a failure; id 0 for the connection, otherwise the request it answers. */
    ERROR(0x03),
    /** Either direction: a heartbeat; the receiver answers {@link #PONG} with the same id. */
    PING(0x04),
    /** Either direction: the answer to a {@link #PING}. */
    PONG(0x05),
    /** Either direction: the sender is about to close the connection on purpose. */
    GOODBYE(0x06),
    /** Client to daemon: a control request (create, start, take, stop, status). */
    REQUEST(0x10),
    /** Daemon to client: the answer to a {@link #REQUEST} with the same id. */
    RESPONSE(0x11),
    /** Daemon to client: one materialised batch; the payload is the tensor, or it lies in shared memory. */
    BATCH(0x12),
    /** Client to daemon: the batch of the {@code take} with the same id, in shared memory, is closed. */
    RELEASE(0x13),
    /** Daemon to worker: a materialisation job (a small JSON spec). */
    JOB(0x20),
    /** Worker to daemon: the tensor produced for the {@link #JOB} with the same id. */
    JOB_RESULT(0x21),
    /** Worker to daemon: the {@link #JOB} with the same id failed. */
    JOB_FAILURE(0x22),
    /** Daemon to worker (job id) or client to daemon (request id): abandon that work. */
    CANCEL(0x23);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** Returns the code of this type on the wire, in {@code [0, 255]}. */
    public int code() {
        return code;
    }

    /**
     * Returns the type with a wire code.
     *
     * @param code the unsigned byte read from the wire, in {@code [0, 255]}
     * @return the type
     * @throws ProtocolException if no type has that code
     */
    public static MessageType fromCode(int code) {
        MessageType type = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (type == null) {
            throw new ProtocolException("type", String.format("0x%02X", code),
                    "one of the message type codes of protocol " + Hello.PROTOCOL_VERSION);
        }
        return type;
    }
}
