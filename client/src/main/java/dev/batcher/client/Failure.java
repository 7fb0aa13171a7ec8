package dev.batcher.client;

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

    /** Returns a one-paragraph description for logs and exception messages. */
    public String describe() {
        return exceptionClass + ": " + message + " (worker " + worker + ", state " + state + ", after " + attempts
                + " attempt" + (attempts == 1 ? "" : "s") + "; batch " + batch + ")";
    }
}
