package dev.batcher.client;

import dev.batcher.client.protocol.ErrorFrames;

/**
 * Why a batcher failed: the exception on the worker, the worker, and the batch down to its file and
 * window.
 *
 * @param exceptionClass the class of the exception where it was thrown
 * @param message its message
 * @param remoteStack its stack trace as text, with causes
 * @param worker the worker that ran the last attempt ({@code manager} for iteration errors)
 * @param state the state before the failed batch: {@code take(state)} reproduces it
 * @param batch the batch's items: recording, file, dataset and sample window of each
 * @param attempts how many times the batch was tried
 */
public record Failure(String exceptionClass, String message, String remoteStack, String worker, String state, String batch,
        int attempts) {

    /**
     * Returns a one-paragraph description for users, logs and exception messages: the message, then the
     * code and where it happened, as a failed {@code take}'s {@code RemoteBatcherException} reads:
     * {@code read failed [code=failed, worker=w1, state=seed=1,batch=3, batch=..., attempts=5]}. The
     * exception's class name (the daemon's or a worker's) appears only when the message is empty; it is
     * kept in {@link #exceptionClass()} and the stack trace.
     */
    public String describe() {
        String text = message == null || message.isEmpty() ? exceptionClass : message;
        return text + " [code=" + ErrorFrames.CODE_FAILED + ", worker=" + worker + ", state=" + state + ", batch=" + batch + ", attempts="
                + attempts + "]";
    }
}
