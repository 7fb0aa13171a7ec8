package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A reference to bytes in a shared-memory arena (section 13 of {@code docs/protocol.md}): the header
 * field {@code arena} of {@code JOB}, {@code JOB_RESULT} and {@code BATCH} frames.
 *
 * <pre>
 * "arena": {"file": "/dev/shm/batcher-4242-1796164764748.arena", "slot": 3, "offset": 23793664, "bytes": 7864448}
 * </pre>
 *
 * In a {@code JOB}, the slot the worker should write the batch into, {@code bytes} being the slot's
 * size; in a {@code JOB_RESULT} or {@code BATCH}, where the batch lies, {@code bytes} being its size
 * (x then y, as in a payload). {@code offset} is where the slot starts in the file: {@code 4096 +
 * slot * slotBytes}.
 *
 * @param file the arena file's absolute path
 * @param slot the slot's index
 * @param offset the slot's first byte in the file
 * @param bytes the bytes meant (see above)
 */
public record ArenaRef(String file, int slot, long offset, long bytes) {
    /** The header field that holds the reference. */
    public static final String FIELD = "arena";

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if the file is blank or a number is negative
     */
    public ArenaRef {
        Objects.requireNonNull(file, "file");
        if (file.isBlank() || slot < 0 || offset < 0 || bytes < 0) {
            throw new IllegalArgumentException("arena: " + file + " slot " + slot + " offset " + offset + " bytes " + bytes
                    + " (expected: a file and numbers >= 0)");
        }
    }

    /** Returns a copy with another byte count. */
    public ArenaRef withBytes(long n) {
        return new ArenaRef(file, slot, offset, n);
    }

    /**
     * Writes the reference as the header's {@code arena} field.
     *
     * @param header the header
     * @return the header
     */
    public ObjectNode writeTo(ObjectNode header) {
        ObjectNode a = header.putObject(FIELD);
        a.put("file", file);
        a.put("slot", slot);
        a.put("offset", offset);
        a.put("bytes", bytes);
        return header;
    }

    /**
     * Reads the {@code arena} field of a header.
     *
     * @param header the header
     * @param message the message's name for errors, such as {@code batch}
     * @return the reference, or null if the field is absent
     * @throws ProtocolException naming the first bad field
     */
    public static ArenaRef read(JsonNode header, String message) {
        JsonNode a = header.get(FIELD);
        if (a == null || a.isNull()) {
            return null;
        }
        String q = message + "." + FIELD;
        if (!a.isObject()) {
            throw new ProtocolException(q, Headers.shown(a), "an object: file, slot, offset, bytes");
        }
        return new ArenaRef(Headers.text(a, q + ".file", "file"), (int) Headers.integer(a, q + ".slot", "slot", 0, Integer.MAX_VALUE),
                Headers.integer(a, q + ".offset", "offset", 0, Integer.MAX_VALUE),
                Headers.integer(a, q + ".bytes", "bytes", 0, Integer.MAX_VALUE));
    }
}
