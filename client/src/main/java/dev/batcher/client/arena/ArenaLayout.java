package dev.batcher.client.arena;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout of an arena file, little-endian throughout:
 *
 * <pre>
 * offset  size  field
 *      0     8  magic        "BATCHARN" (ASCII)
 *      8     4  version      u32, 1
 *     12     4  headerBytes  u32, 4096: where slot 0 starts
 *     16     4  slotCount    u32, >= 1
 *     20     4  reserved     0
 *     24     8  slotBytes    u64, a multiple of 4096
 *     32     8  ownerPid     i64, the daemon's process id
 *     40     8  createdMs    i64, creation time, ms since the epoch (informative)
 *     48  4048  zeros
 *   4096        slot 0, then slot 1 ... slot i at headerBytes + i * slotBytes
 * </pre>
 *
 * A slot holds one batch in wire form: x (float32 LE, row-major) from the slot's start, y (int32 LE)
 * right after x. The slot's index, x and y shapes and offsets travel in the frames; the file has no
 * per-slot fields. File names are {@code batcher-<ownerPid>-<id>.arena}.
 */
public final class ArenaLayout {
    /** The magic bytes at offset 0. */
    public static final String MAGIC = "BATCHARN";
    /** The layout version at offset 8. */
    public static final int VERSION = 1;
    /** Bytes before slot 0, and the alignment of every slot. */
    public static final int HEADER_BYTES = 4096;
    /** The alignment of slot sizes. */
    public static final int ALIGNMENT = 4096;
    /** The file-name prefix. */
    public static final String PREFIX = "batcher-";
    /** The file-name suffix. */
    public static final String SUFFIX = ".arena";

    private static final Pattern NAME = Pattern.compile("batcher-(\\d+)-(\\d+)\\.arena");

    private ArenaLayout() {}

    /** Returns the file name of arena {@code id} of daemon {@code pid}. */
    static String fileName(long pid, long id) {
        return PREFIX + pid + "-" + id + SUFFIX;
    }

    /**
     * Returns the owner's process id from an arena file's name.
     *
     * @param file the file
     * @return the pid, or empty if the name is not an arena's
     */
    public static OptionalLong ownerPid(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Rounds {@code bytes} up to the alignment. */
    static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Writes the header into the first bytes of {@code b}. */
    static void writeHeader(ByteBuffer b, int slotCount, long slotBytes, long pid, long createdMs) {
        ByteBuffer h = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, MAGIC.getBytes(StandardCharsets.US_ASCII));
        h.putInt(8, VERSION);
        h.putInt(12, HEADER_BYTES);
        h.putInt(16, slotCount);
        h.putInt(20, 0);
        h.putLong(24, slotBytes);
        h.putLong(32, pid);
        h.putLong(40, createdMs);
    }

    /** The header's fields. */
    record Header(int slotCount, long slotBytes, long ownerPid) {}

    /**
     * Reads and checks a header.
     *
     * @param file for messages
     * @param b the file's first bytes
     * @param fileBytes the file's size
     * @throws ArenaException naming the field if the header is not a valid arena header for this size
     */
    static Header readHeader(Path file, ByteBuffer b, long fileBytes) {
        if (fileBytes < HEADER_BYTES) {
            throw new ArenaException(file, "size: " + fileBytes + " bytes (expected: >= " + HEADER_BYTES + ")", null);
        }
        ByteBuffer h = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        h.get(0, magic);
        if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new ArenaException(file, "magic: " + new String(magic, StandardCharsets.ISO_8859_1) + " (expected: " + MAGIC + ")",
                    null);
        }
        int version = h.getInt(8);
        if (version != VERSION) {
            throw new ArenaException(file, "version: " + version + " (expected: " + VERSION + ")", null);
        }
        int headerBytes = h.getInt(12);
        if (headerBytes != HEADER_BYTES) {
            throw new ArenaException(file, "headerBytes: " + headerBytes + " (expected: " + HEADER_BYTES + ")", null);
        }
        int slots = h.getInt(16);
        long slotBytes = h.getLong(24);
        if (slots < 1 || slotBytes < ALIGNMENT || slotBytes % ALIGNMENT != 0) {
            throw new ArenaException(file, "slotCount: " + slots + ", slotBytes: " + slotBytes
                    + " (expected: >= 1 slot of a positive multiple of " + ALIGNMENT + " bytes)", null);
        }
        if (HEADER_BYTES + slots * slotBytes != fileBytes) {
            throw new ArenaException(file, "size: " + fileBytes + " bytes (expected: " + (HEADER_BYTES + slots * slotBytes)
                    + " for " + slots + " slots of " + slotBytes + " bytes)", null);
        }
        return new Header(slots, slotBytes, h.getLong(32));
    }
}
