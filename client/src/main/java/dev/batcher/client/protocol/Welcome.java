package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;

/**
 * What the daemon answers to an accepted {@code HELLO}. The header is
 * {@code {"protocol": 3, "server": "0.1.0", "heartbeatMillis": 5000, "maxFrameLength": 268435456}}.
 *
 * @param serverVersion the daemon's version, for logs
 * @param heartbeatInterval how often the daemon sends {@code PING} when it has nothing else to send
 * @param maxFrameLength the largest length field the daemon accepts; a peer should not send more
 */
public record Welcome(String serverVersion, Duration heartbeatInterval, int maxFrameLength) {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException if {@code serverVersion} or {@code heartbeatInterval} is null
     * @throws IllegalArgumentException if {@code heartbeatInterval} is not positive or
     *     {@code maxFrameLength} is below {@link Frame#FIXED_FIELDS_LENGTH}
     */
    public Welcome {
        Objects.requireNonNull(serverVersion, "serverVersion");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException(
                    "heartbeatInterval: " + heartbeatInterval + " (expected: > 0)");
        }
        if (maxFrameLength < Frame.FIXED_FIELDS_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength
                    + " (expected: >= " + Frame.FIXED_FIELDS_LENGTH + ")");
        }
    }

    /**
     * Encodes this welcome as a {@code WELCOME} frame.
     *
     * @param helloId the id of the {@code HELLO} it answers
     * @return a frame with a reference count of 1
     */
    public Frame toFrame(long helloId) {
        return Frame.of(MessageType.WELCOME, helloId, toHeader());
    }

    /**
     * Decodes a {@code WELCOME} frame; the frame is not released.
     *
     * @param frame a {@code WELCOME} frame
     * @return the welcome
     * @throws ProtocolException naming the first bad field, or the type of another frame
     */
    public static Welcome decode(Frame frame) {
        if (frame.type() != MessageType.WELCOME) {
            throw new ProtocolException("type", frame.type(), "WELCOME");
        }
        return fromHeader(frame.header());
    }

    ObjectNode toHeader() {
        ObjectNode header = Json.object();
        header.put("protocol", Hello.PROTOCOL_VERSION);
        header.put("server", serverVersion);
        header.put("heartbeatMillis", heartbeatInterval.toMillis());
        header.put("maxFrameLength", maxFrameLength);
        return header;
    }

    /**
     * Reads a {@code WELCOME} header.
     *
     * @throws ProtocolException naming the first bad field
     */
    static Welcome fromHeader(JsonNode header) {
        Headers.integer(header, "welcome.protocol", "protocol", Hello.PROTOCOL_VERSION,
                Hello.PROTOCOL_VERSION);
        String server = Headers.text(header, "welcome.server", "server");
        long heartbeat = Headers.integer(header, "welcome.heartbeatMillis", "heartbeatMillis",
                1, Long.MAX_VALUE / 1_000_000);
        long maxFrameLength = Headers.integer(header, "welcome.maxFrameLength", "maxFrameLength",
                Frame.FIXED_FIELDS_LENGTH, Integer.MAX_VALUE);
        return new Welcome(server, Duration.ofMillis(heartbeat), (int) maxFrameLength);
    }
}
