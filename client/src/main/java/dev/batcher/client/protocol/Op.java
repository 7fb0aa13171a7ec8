package dev.batcher.client.protocol;

import java.util.Locale;

/**
 * The operation of a {@code REQUEST}, by its name on the wire (the header's {@code op} field). Adding
 * an operation: add a constant here, a record to {@link Request} (its header fields, encoding and
 * decoding) and, if it answers with a {@code RESPONSE}, a record to {@link Response}; then the table
 * in section 12.1 of {@code docs/protocol.md} (a test compares them).
 */
public enum Op {
    /** Creates a batcher from a spec: answered {@link Response.Created}. */
    CREATE,
    /** Starts (or restarts) a batcher at a state: answered {@link Response.Started}. */
    START,
    /** Takes the batch at a state: answered by a {@code BATCH} frame or {@link Response.End}. */
    TAKE,
    /** Stops a batcher: answered {@link Response.Stopped}. */
    STOP,
    /** Asks for a batcher's status: answered {@link Response.StatusReport}. */
    STATUS,
    /** Lists all batchers: answered {@link Response.Listing}. */
    LIST;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the name on the wire, such as {@code "take"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Returns the operation with a wire name.
     *
     * @param wireName the {@code op} field of a request
     * @return the operation
     * @throws ProtocolException (code {@link ErrorFrames#CODE_BAD_REQUEST}) for an unknown name
     */
    public static Op fromWireName(String wireName) {
        for (Op op : values()) {
            if (op.wireName.equals(wireName)) {
                return op;
            }
        }
        StringBuilder all = new StringBuilder("one of ");
        for (Op op : values()) {
            all.append(op.ordinal() == 0 ? "" : ", ").append(op.wireName);
        }
        throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "op", wireName, all.toString());
    }

    @Override
    public String toString() {
        return wireName;
    }
}
