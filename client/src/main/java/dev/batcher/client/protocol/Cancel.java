package dev.batcher.client.protocol;

/**
 * A {@code CANCEL} frame: daemon to worker (the job id) or client to daemon (the request id): the
 * sender no longer wants that work's answer. Header {@code {"reason": "..."}}, optional. The receiver
 * may still answer; the sender drops the answer.
 *
 * @param reason why, for logs; null for none
 */
public record Cancel(String reason) {
    /**
     * Encodes the cancel.
     *
     * @param id the job or request abandoned
     * @return a frame with a reference count of 1
     */
    public Frame toFrame(long id) {
        return reason == null ? Frame.of(MessageType.CANCEL, id) : Frame.of(MessageType.CANCEL, id, Frame.newHeader().put("reason", reason));
    }

    /**
     * Decodes a {@code CANCEL} frame; the frame is not released.
     *
     * @param frame a {@code CANCEL} frame
     * @return the cancel
     * @throws ProtocolException if the frame is of another type or {@code reason} is not a string
     */
    public static Cancel decode(Frame frame) {
        if (frame.type() != MessageType.CANCEL) {
            throw new ProtocolException("type", frame.type(), "CANCEL");
        }
        return new Cancel(Headers.optionalText(frame.header(), "cancel.reason", "reason"));
    }
}
