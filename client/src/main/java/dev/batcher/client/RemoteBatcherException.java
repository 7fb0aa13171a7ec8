package dev.batcher.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A failure that happened at the other end of a connection (the daemon, or a worker through the
 * daemon) and arrived in an {@code ERROR} or {@code JOB_FAILURE} frame. It carries the remote
 * exception's class name, message and stack trace as text (the remote classes need not exist
 * here), an error code and optional context such as the worker, file and window.
 *
 * <p>{@link #getMessage()} is the remote message, the code and the context, as a user should read
 * them: {@code batchSize: 0 (expected: > 0) [code=bad_request]}; the remote class name appears only
 * when the remote exception had no message. {@link #toString()} adds the remote stack trace, so that
 * a printed stack trace shows both ends.
 */
public class RemoteBatcherException extends BatcherClientException {
    private static final long serialVersionUID = 1L;

    /** Context key: the name of the worker that failed. */
    public static final String CONTEXT_WORKER = "worker";
    /** Context key: the file being read. */
    public static final String CONTEXT_FILE = "file";
    /** Context key: the window (or item) being materialised. */
    public static final String CONTEXT_WINDOW = "window";

    private final String code;
    private final String remoteClass;
    private final String remoteMessage;
    private final String remoteStack;
    private final Map<String, String> context;

    /**
     * Creates the exception from the fields of an error frame.
     *
     * @param code the error code, such as {@code "internal"} or {@code "unauthorized"}
     * @param remoteClass the fully qualified class name of the remote exception
     * @param remoteMessage the remote exception's message ({@code ""} if it had none)
     * @param remoteStack the remote stack trace as text ({@code ""} if none was sent)
     * @param context extra fields such as {@link #CONTEXT_WORKER}; copied, in iteration order
     * @throws NullPointerException if any argument or any key or value of {@code context} is null
     */
    public RemoteBatcherException(String code, String remoteClass, String remoteMessage,
            String remoteStack, Map<String, String> context) {
        super(describe(code, remoteClass, remoteMessage, context));
        this.code = code;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.remoteStack = Objects.requireNonNull(remoteStack, "remoteStack");
        this.context = copy(context);
    }

    private static String describe(String code, String remoteClass, String remoteMessage,
            Map<String, String> context) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(remoteClass, "remoteClass");
        Objects.requireNonNull(remoteMessage, "remoteMessage");
        Objects.requireNonNull(context, "context");
        // The daemon's class names mean nothing to a user; the message says what happened.
        StringBuilder text = new StringBuilder(remoteMessage.isEmpty() ? remoteClass : remoteMessage);
        text.append(" [code=").append(code);
        context.forEach((key, value) -> text.append(", ").append(key).append('=').append(value));
        return text.append(']').toString();
    }

    private static Map<String, String> copy(Map<String, String> context) {
        Map<String, String> copy = new LinkedHashMap<>();
        context.forEach((key, value) -> copy.put(Objects.requireNonNull(key, "context key"),
                Objects.requireNonNull(value, "context value")));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** Returns the error code, such as {@code "internal"}, {@code "protocol"} or {@code "unauthorized"}. */
    public String code() {
        return code;
    }

    /** Returns the fully qualified class name of the remote exception. */
    public String remoteClass() {
        return remoteClass;
    }

    /** Returns the remote exception's message, {@code ""} if it had none. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** Returns the remote stack trace as text, {@code ""} if the peer sent none. */
    public String remoteStack() {
        return remoteStack;
    }

    /** Returns the context fields (worker, file, window, ...), unmodifiable, in the order received. */
    public Map<String, String> context() {
        return context;
    }

    /**
     * Returns the class name and message of this exception followed, when the peer sent one, by the
     * remote stack trace.
     */
    @Override
    public String toString() {
        String head = super.toString();
        if (remoteStack.isEmpty()) {
            return head;
        }
        return head + System.lineSeparator() + "Remote stack trace:" + System.lineSeparator()
                + remoteStack.stripTrailing();
    }
}
