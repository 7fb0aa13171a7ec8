package dev.batcher.client.protocol;

import java.util.Objects;

/**
 * A peer broke the wire protocol: a frame longer than the limit, an unknown message type, a header
 * that is not a JSON object, a first frame that is not {@code HELLO}, an unsupported protocol
 * version, a wrong token. The message names the field, the value received and what was expected
 * (or the limit), for example {@code "length: 4294967295 (expected: <= 268435456, the maximum frame
 * length)"}.
 *
 * <p>The connection cannot continue after a protocol violation: the handler that detects it sends
 * an {@code ERROR} frame with {@link #code()} (best effort), fires this exception down the
 * pipeline and closes the channel.
 */
public class ProtocolException extends WireException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String field;
    private final String value;
    private final String expected;

    /**
     * Creates a violation with the code {@link ErrorFrames#CODE_PROTOCOL}.
     *
     * @param field the name of the offending field, such as {@code "length"} or {@code "hello.role"}
     * @param value the value received, as it should appear in the message (redact secrets first)
     * @param expected what was expected or the limit, such as {@code "<= 65536"}
     * @throws NullPointerException if any argument is null
     */
    public ProtocolException(String field, Object value, String expected) {
        this(ErrorFrames.CODE_PROTOCOL, field, value, expected);
    }

    /**
     * Creates a violation with an explicit error code.
     *
     * @param code the code sent to the peer in the {@code ERROR} frame, such as
     *     {@link ErrorFrames#CODE_UNAUTHORIZED}
     * @param field the name of the offending field
     * @param value the value received, as it should appear in the message (redact secrets first)
     * @param expected what was expected or the limit
     * @throws NullPointerException if any argument is null
     */
    public ProtocolException(String code, String field, Object value, String expected) {
        super(Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(value, "value")
                + " (expected: " + Objects.requireNonNull(expected, "expected") + ")");
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.value = String.valueOf(value);
        this.expected = expected;
    }

    /** Returns the error code sent to the peer, {@link ErrorFrames#CODE_PROTOCOL} unless stated. */
    public String code() {
        return code;
    }

    /** Returns the name of the offending field. */
    public String field() {
        return field;
    }

    /** Returns the value received, as text. */
    public String value() {
        return value;
    }

    /** Returns what was expected, or the limit that was exceeded. */
    public String expected() {
        return expected;
    }
}
