package dev.batcher.client.arena;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * An arena as a worker (writing) or a client (reading) maps it: the file named in a {@code JOB} or
 * {@code BATCH} frame, its header checked. The views it hands out share the mapping, which lasts as
 * long as the view or one of its buffers is reachable; the daemon deleting the file does not
 * invalidate them. Thread-safe.
 */
public final class ArenaView {
    private final Path path;
    private final MappedByteBuffer map;
    private final ArenaLayout.Header header;

    private ArenaView(Path path, MappedByteBuffer map, ArenaLayout.Header header) {
        this.path = path;
        this.map = map;
        this.header = header;
    }

    /**
     * Maps an arena file.
     *
     * @param path the file
     * @param writable true to map it read-write (workers), false read-only (clients)
     * @return the view
     * @throws ArenaException if the file cannot be opened or mapped or its header is not an arena's
     */
    public static ArenaView open(Path path, boolean writable) {
        Objects.requireNonNull(path, "path");
        try (FileChannel ch = writable ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ArenaException(path, "size: " + size + " bytes (expected: <= " + Integer.MAX_VALUE + ")", null);
            }
            MappedByteBuffer map = ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size);
            return new ArenaView(path, map, ArenaLayout.readHeader(path, map, size));
        } catch (IOException e) {
            throw new ArenaException(path, "mapping it " + (writable ? "read-write" : "read-only") + " failed: " + e
                    + " (a peer on another host, or without access to the runtime directory, must use TCP)", e);
        }
    }

    /** Returns the file. */
    public Path path() {
        return path;
    }

    /** Returns the number of slots. */
    public int slots() {
        return header.slotCount();
    }

    /** Returns the bytes of one slot. */
    public long slotBytes() {
        return header.slotBytes();
    }

    /** Returns the pid of the daemon that created the arena. */
    public long ownerPid() {
        return header.ownerPid();
    }

    /**
     * Returns a view of {@code bytes} bytes at {@code offset}, which must lie inside one slot.
     *
     * @param offset the byte offset in the file
     * @param bytes how many bytes
     * @return the view, position 0 (read-only if the arena was mapped read-only)
     * @throws ArenaException if the range is not inside one slot
     */
    public ByteBuffer slice(long offset, long bytes) {
        long rel = offset - ArenaLayout.HEADER_BYTES;
        long slot = rel < 0 ? -1 : rel / header.slotBytes();
        if (rel < 0 || bytes < 0 || slot >= header.slotCount() || rel + bytes > (slot + 1) * header.slotBytes()) {
            throw new ArenaException(path, "range: offset " + offset + ", " + bytes + " bytes (expected: inside one of "
                    + header.slotCount() + " slots of " + header.slotBytes() + " bytes from offset " + ArenaLayout.HEADER_BYTES + ")",
                    null);
        }
        return map.duplicate().position((int) offset).limit((int) (offset + bytes)).slice();
    }

    @Override
    public String toString() {
        return "ArenaView[" + path + ", " + slots() + " slots of " + slotBytes() + " bytes]";
    }
}
