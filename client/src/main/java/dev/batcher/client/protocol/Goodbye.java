package dev.batcher.client.protocol;

/**
 * A {@code GOODBYE} frame (either side, id 0): the sender is about to close the connection on
 * purpose. Header {@code {"reason": "..."}}, optional.
 *
 * @param reason why, for logs; null for none
 */
public record Goodbye(String reason) {
    /**
     * Encodes the goodbye.
     *
     * @return a frame with a reference count of 1
     */
    public Frame toFrame() {
        return reason == null ? Frame.of(MessageType.GOODBYE, 0) : Frame.of(MessageType.GOODBYE, 0, Frame.newHeader().put("reason", reason));
    }

    /**
     * Decodes a {@code GOODBYE} frame; the frame is not released.
     *
     * @param frame a {@code GOODBYE} frame
     * @return the goodbye
     * @throws ProtocolException if the frame is of another type or {@code reason} is not a string
     */
    public static Goodbye decode(Frame frame) {
        if (frame.type() != MessageType.GOODBYE) {
            throw new ProtocolException("type", frame.type(), "GOODBYE");
        }
        return new Goodbye(Headers.optionalText(frame.header(), "goodbye.reason", "reason"));
    }
}
