package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.RemoteBatcherException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;

/**
 * Builds and reads the frames that carry a failure across a connection: {@code ERROR} (a request or
 * the connection failed) and {@code JOB_FAILURE} (a worker's job failed). Both have the same
 * header:
 *
 * <pre>
 * {
 *   "code":    "internal",                       // one of the CODE_ constants, or another word
 *   "class":   "java.io.UncheckedIOException",  // the exception's class name
 *   "message": "...",                           // its message, at most 4000 characters
 *   "stack":   "...",                           // printStackTrace text, at most 16000 characters
 *   "context": {"worker": "w1", "file": "/data/a.h5", "window": "17"}
 * }
 * </pre>
 *
 * Every field may be absent; readers fill in defaults. The id is the request or job the failure
 * belongs to, or 0 when the failure concerns the whole connection (the sender then closes it).
 */
public final class ErrorFrames {
    /** A protocol violation; the sender closes the connection. */
    public static final String CODE_PROTOCOL = "protocol";
    /** The {@code HELLO} asked for a protocol version the daemon does not speak. */
    public static final String CODE_UNSUPPORTED_VERSION = "unsupported_version";
    /** The {@code HELLO} carried no token or the wrong token. */
    public static final String CODE_UNAUTHORIZED = "unauthorized";
    /** The peer stayed silent too long (handshake or heartbeats). */
    public static final String CODE_TIMEOUT = "timeout";
    /** A request was well-formed on the wire but invalid (unknown operation, bad arguments). */
    public static final String CODE_BAD_REQUEST = "bad_request";
    /** The work was cancelled. */
    public static final String CODE_CANCELLED = "cancelled";
    /** Anything else: a failure inside the sender. */
    public static final String CODE_INTERNAL = "internal";
    /** A {@code take} on a batcher that is stopped or closed with nothing buffered: call {@code start}. */
    public static final String CODE_NOT_RUNNING = "not_running";
    /** The batcher failed after its retries; class, message and stack are the worker's. */
    public static final String CODE_FAILED = "failed";
    /**
     * The daemon's memory budget for frames still arriving is used up: the frame is refused and the
     * connection closed; connect again later.
     */
    public static final String CODE_OVERLOADED = "overloaded";

    /** Context key of a {@link #CODE_FAILED} error and others: the batcher's name. */
    public static final String CONTEXT_BATCHER = "batcher";
    /** Context key: the worker that ran the failed job. */
    public static final String CONTEXT_WORKER = RemoteBatcherException.CONTEXT_WORKER;
    /** Context key: the file being read. */
    public static final String CONTEXT_FILE = RemoteBatcherException.CONTEXT_FILE;
    /** Context key: the sample window being read. */
    public static final String CONTEXT_WINDOW = RemoteBatcherException.CONTEXT_WINDOW;
    /** Context key: the state before the failed batch. */
    public static final String CONTEXT_STATE = "state";
    /** Context key: the failed batch's items. */
    public static final String CONTEXT_BATCH = "batch";
    /** Context key: how many times the batch was tried. */
    public static final String CONTEXT_ATTEMPTS = "attempts";
    /** Context key of a {@link #CODE_NOT_RUNNING} error: the batcher's status. */
    public static final String CONTEXT_STATUS = "status";

    /** Every error code of the protocol, in the order of {@code docs/protocol.md}. */
    public static final java.util.List<String> CODES = java.util.List.of(CODE_PROTOCOL, CODE_UNSUPPORTED_VERSION,
            CODE_UNAUTHORIZED, CODE_TIMEOUT, CODE_BAD_REQUEST, CODE_CANCELLED, CODE_INTERNAL, CODE_NOT_RUNNING,
            CODE_FAILED, CODE_OVERLOADED);

    /** Messages longer than this many characters are cut. */
    public static final int MAX_MESSAGE_CHARS = 4_000;
    /** Stack traces longer than this many characters are cut. */
    public static final int MAX_STACK_CHARS = 16_000;

    private ErrorFrames() {
    }

    /**
     * Builds an {@code ERROR} frame with the code {@link #codeOf(Throwable)} of {@code cause}.
     *
     * @param id the request the failure answers, or 0 for the connection
     * @param cause the failure; a {@link RemoteBatcherException} is forwarded with its remote class,
     *     message, stack and context, so that a worker's failure reaches the client unchanged
     * @param context extra fields (see {@link RemoteBatcherException#CONTEXT_WORKER} and siblings);
     *     they are added to (and override) those of a forwarded remote failure
     * @return a frame with a reference count of 1
     * @throws NullPointerException if {@code cause} or {@code context} is null, or holds a null key
     *     or value
     */
    public static Frame error(long id, Throwable cause, Map<String, String> context) {
        return error(id, codeOf(cause), cause, context);
    }

    /**
     * Builds an {@code ERROR} frame with an explicit code.
     *
     * @param id the request the failure answers, or 0 for the connection
     * @param code the error code, such as {@link #CODE_BAD_REQUEST}
     * @param cause the failure (see {@link #error(long, Throwable, Map)})
     * @param context extra fields, added to those of a forwarded remote failure
     * @return a frame with a reference count of 1
     * @throws NullPointerException if any argument is null, or {@code context} holds a null key or
     *     value
     */
    public static Frame error(long id, String code, Throwable cause, Map<String, String> context) {
        return Frame.of(MessageType.ERROR, id, header(code, cause, context));
    }

    /**
     * Builds a {@code JOB_FAILURE} frame, sent by a worker when a job fails.
     *
     * @param jobId the id of the failed {@code JOB}
     * @param cause the failure
     * @param context extra fields such as the file and window being read
     * @return a frame with a reference count of 1
     * @throws NullPointerException if {@code cause} or {@code context} is null, or {@code context}
     *     holds a null key or value
     */
    public static Frame jobFailure(long jobId, Throwable cause, Map<String, String> context) {
        return Frame.of(MessageType.JOB_FAILURE, jobId, header(codeOf(cause), cause, context));
    }

    /**
     * Builds the header of an error frame: the class and message of {@code cause} (a wrapper made
     * with {@code new X(cause)} gives its cause's message, see {@link #messageOf(Throwable)}), and its
     * stack trace, except for a refused request ({@link #CODE_BAD_REQUEST}, {@link #CODE_NOT_RUNNING}).
     *
     * @param code the error code
     * @param cause the failure
     * @param context extra fields, added to those of a forwarded remote failure
     * @return a new JSON object
     * @throws NullPointerException if any argument is null, or {@code context} holds a null key or
     *     value
     */
    public static ObjectNode header(String code, Throwable cause, Map<String, String> context) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(context, "context");
        Map<String, String> fields = new LinkedHashMap<>();
        String className;
        String message;
        String stack;
        if (cause instanceof RemoteBatcherException) {
            RemoteBatcherException remote = (RemoteBatcherException) cause;
            className = remote.remoteClass();
            message = remote.remoteMessage();
            stack = remote.remoteStack();
            fields.putAll(remote.context());
        } else {
            className = cause.getClass().getName();
            message = messageOf(cause);
            // A refused request is the caller's to fix, as its message says; the daemon's stack adds nothing.
            stack = CODE_BAD_REQUEST.equals(code) || CODE_NOT_RUNNING.equals(code) ? "" : stackOf(cause);
        }
        context.forEach((key, value) -> fields.put(Objects.requireNonNull(key, "context key"),
                Objects.requireNonNull(value, "context value")));
        return header(code, className, message, stack, fields);
    }

    /**
     * Builds the {@code ERROR} frame (code {@link #CODE_FAILED}) that answers a request whose batcher
     * failed after its retries: the worker's class, message and stack, and the context fields
     * {@code batcher}, {@code worker}, {@code state}, {@code batch} and {@code attempts}.
     *
     * @param id the request it answers
     * @param batcher the batcher's name
     * @param failure why it failed
     * @return a frame with a reference count of 1
     * @throws NullPointerException if an argument or a field of {@code failure} is null
     */
    public static Frame failed(long id, String batcher, dev.batcher.client.Failure failure) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put(CONTEXT_BATCHER, batcher);
        context.put(CONTEXT_WORKER, failure.worker());
        context.put(CONTEXT_STATE, failure.state());
        context.put(CONTEXT_BATCH, failure.batch());
        context.put(CONTEXT_ATTEMPTS, Integer.toString(failure.attempts()));
        context.values().forEach(v -> Objects.requireNonNull(v, "failure field"));
        return Frame.of(MessageType.ERROR, id, header(CODE_FAILED, failure.exceptionClass(), failure.message(),
                failure.remoteStack() == null ? "" : failure.remoteStack(), context));
    }

    private static ObjectNode header(String code, String className, String message, String stack,
            Map<String, String> context) {
        ObjectNode header = Json.object();
        header.put("code", code);
        header.put("class", className);
        header.put("message", cut(message, MAX_MESSAGE_CHARS));
        if (!stack.isEmpty()) {
            header.put("stack", cut(stack, MAX_STACK_CHARS));
        }
        if (!context.isEmpty()) {
            ObjectNode fields = header.putObject("context");
            context.forEach(fields::put);
        }
        return header;
    }

    /**
     * Builds the {@code ERROR} frame (id 0, no stack trace) that a handler sends before it closes a
     * connection for a violation or a timeout.
     *
     * @param failure the violation or timeout
     * @return a frame with a reference count of 1
     */
    public static Frame rejection(WireException failure) {
        return Frame.of(MessageType.ERROR, 0, header(codeOf(failure), failure.getClass().getName(),
                failure.getMessage(), "", Map.of()));
    }

    /**
     * Returns the error code that describes a failure: the code of a {@link ProtocolException} or
     * {@link RemoteBatcherException}, {@link #CODE_TIMEOUT} for a {@link PeerTimeoutException},
     * {@link #CODE_CANCELLED} for a {@link CancellationException}, otherwise {@link #CODE_INTERNAL}.
     *
     * @param cause the failure
     * @return the code
     * @throws NullPointerException if {@code cause} is null
     */
    public static String codeOf(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        if (cause instanceof ProtocolException) {
            return ((ProtocolException) cause).code();
        }
        if (cause instanceof RemoteBatcherException) {
            return ((RemoteBatcherException) cause).code();
        }
        if (cause instanceof PeerTimeoutException) {
            return CODE_TIMEOUT;
        }
        if (cause instanceof CancellationException) {
            return CODE_CANCELLED;
        }
        return CODE_INTERNAL;
    }

    /**
     * Reads an {@code ERROR} or {@code JOB_FAILURE} frame into an exception. Absent fields become
     * {@link #CODE_INTERNAL}, {@code "unknown"} (class) or {@code ""}; non-text context values are
     * kept as their JSON text. The frame is not released.
     *
     * @param frame an {@code ERROR} or {@code JOB_FAILURE} frame
     * @return the exception the frame describes
     * @throws IllegalArgumentException if the frame is of another type
     */
    public static RemoteBatcherException toException(Frame frame) {
        if (frame.type() != MessageType.ERROR && frame.type() != MessageType.JOB_FAILURE) {
            throw new IllegalArgumentException(
                    "frame.type: " + frame.type() + " (expected: ERROR or JOB_FAILURE)");
        }
        JsonNode header = frame.header();
        Map<String, String> context = new LinkedHashMap<>();
        JsonNode fields = header.path("context");
        fields.fieldNames().forEachRemaining(name -> {
            JsonNode value = fields.get(name);
            context.put(name, value.isTextual() ? value.asText() : value.toString());
        });
        return new RemoteBatcherException(text(header, "code", CODE_INTERNAL),
                text(header, "class", "unknown"), text(header, "message", ""),
                text(header, "stack", ""), context);
    }

    private static String text(JsonNode header, String field, String fallback) {
        JsonNode value = header.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    /**
     * The message a user reads: that of the first exception in the cause chain whose message is its
     * own, not a wrapper's copy of its cause's {@code toString()} (which {@code new X(cause)} makes,
     * and which would show the cause's class name); {@code ""} if there is none.
     */
    static String messageOf(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t
                && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        return t.getMessage() == null ? "" : t.getMessage();
    }

    private static String stackOf(Throwable cause) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            cause.printStackTrace(out);
        }
        return text.toString();
    }

    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "... (" + (text.length() - max) + " characters cut)";
    }
}
