package dev.batcher.client.arena;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An arena as its owner (the daemon) holds it: a memory-mapped file of {@link #slots()} slots of
 * {@link #slotBytes()} bytes, created owner-only ({@code 0600}), with a free list. The slot count
 * bounds the memory of a batcher's batches, buffered, in flight and held by clients together.
 *
 * <p>The file is fully allocated when it is created (so a full {@code /dev/shm} fails here, with a
 * message, rather than later as a bus error in a worker). {@link #close} deletes it; mappings that
 * other processes hold stay readable until they unmap, and the memory returns to the system then.
 * Thread-safe.
 */
public final class Arena implements AutoCloseable {
    /** The arena directory used when none is configured: {@code /dev/shm} if it exists, else the temp directory. */
    public static Path defaultDirectory() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    private final Path path;
    private final int slots;
    private final long slotBytes;
    private final MappedByteBuffer map;
    private final BitSet used;
    private boolean closed;

    private Arena(Path path, int slots, long slotBytes, MappedByteBuffer map) {
        this.path = path;
        this.slots = slots;
        this.slotBytes = slotBytes;
        this.map = map;
        this.used = new BitSet(slots);
    }

    /**
     * Creates an arena file {@code batcher-<pid>-<id>.arena} in {@code dir}, owner-only.
     *
     * @param dir the runtime directory (must exist)
     * @param id unique among this process's arenas
     * @param slots how many slots ({@code >= 1})
     * @param minSlotBytes the bytes a slot must hold; rounded up to {@link ArenaLayout#ALIGNMENT}
     * @return the arena
     * @throws IllegalArgumentException if {@code slots < 1} or {@code minSlotBytes < 1}
     * @throws ArenaException if the file is above 2 GiB, exists, or cannot be created, allocated or mapped
     */
    public static Arena create(Path dir, long id, int slots, long minSlotBytes) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots: " + slots + " (expected: >= 1)");
        }
        if (minSlotBytes < 1) {
            throw new IllegalArgumentException("minSlotBytes: " + minSlotBytes + " (expected: >= 1)");
        }
        long pid = ProcessHandle.current().pid();
        Path path = dir.resolve(ArenaLayout.fileName(pid, id));
        long slotBytes = ArenaLayout.align(minSlotBytes);
        long size = ArenaLayout.HEADER_BYTES + slots * slotBytes;
        if (size > Integer.MAX_VALUE) {
            throw new ArenaException(path, slots + " slots of " + slotBytes + " bytes = " + size
                    + " bytes (expected: <= " + Integer.MAX_VALUE + "; lower the batcher's capacity or batch size)", null);
        }
        boolean ok = false;
        try {
            try {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(path); // not a POSIX file system: its own access rules apply
            }
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long p = 0; p < size; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), size - p));
                    p += ch.write(zeros, p);
                }
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
                ArenaLayout.writeHeader(map, slots, slotBytes, pid, System.currentTimeMillis());
                ok = true;
                return new Arena(path, slots, slotBytes, map);
            }
        } catch (IOException e) {
            throw new ArenaException(path, "creating " + slots + " slots of " + slotBytes + " bytes failed (is " + dir
                    + " a writable directory with " + size + " bytes free?): " + e, e);
        } finally {
            if (!ok) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Best effort; the sweep of the next daemon removes it.
                }
            }
        }
    }

    /** Returns the file. */
    public Path path() {
        return path;
    }

    /** Returns the number of slots. */
    public int slots() {
        return slots;
    }

    /** Returns the bytes of one slot. */
    public long slotBytes() {
        return slotBytes;
    }

    /**
     * Returns where slot {@code i} starts in the file.
     *
     * @param i the slot
     * @return {@code 4096 + i * slotBytes}
     * @throws IndexOutOfBoundsException if there is no slot {@code i}
     */
    public long offset(int i) {
        Objects.checkIndex(i, slots);
        return ArenaLayout.HEADER_BYTES + i * slotBytes;
    }

    /**
     * Takes a free slot.
     *
     * @return its index, or -1 if none is free or the arena is closed
     */
    public synchronized int acquire() {
        if (closed) {
            return -1;
        }
        int i = used.nextClearBit(0);
        if (i >= slots) {
            return -1;
        }
        used.set(i);
        return i;
    }

    /**
     * Returns a slot to the free list. Does nothing once the arena is closed.
     *
     * @param i the slot
     * @throws IllegalStateException if the slot is not taken
     */
    public synchronized void release(int i) {
        Objects.checkIndex(i, slots);
        if (closed) {
            return;
        }
        if (!used.get(i)) {
            throw new IllegalStateException("slot " + i + " of " + path + " is not taken (released twice?)");
        }
        used.clear(i);
    }

    /** Returns the number of free slots. */
    public synchronized int free() {
        return closed ? 0 : slots - used.cardinality();
    }

    /**
     * Returns a writable view of slot {@code i}, position 0, capacity {@link #slotBytes()}.
     *
     * @param i the slot
     * @return the view (shares the mapping)
     */
    public ByteBuffer slot(int i) {
        int off = Math.toIntExact(offset(i));
        return map.duplicate().position(off).limit(Math.toIntExact(off + slotBytes)).slice();
    }

    /** Returns true once {@link #close} ran. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Deletes the file and frees nothing else: the mapping goes with its last reference. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new ArenaException(path, "deleting it failed: " + e, e);
        }
    }

    /**
     * Deletes the arena files in {@code dir} whose owner process is dead: what a daemon killed
     * before it could delete its own left behind. Files of live processes (other daemons, and this
     * one) are kept. A process id reused by an unrelated live process keeps its file until that
     * process exits too.
     *
     * @param dir the runtime directory
     * @return the files deleted
     * @throws ArenaException if the directory cannot be listed
     */
    public static List<Path> sweep(Path dir) {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ArenaLayout.PREFIX + "*" + ArenaLayout.SUFFIX)) {
            for (Path f : files) {
                OptionalLong pid = ArenaLayout.ownerPid(f);
                if (pid.isEmpty() || pid.getAsLong() == ProcessHandle.current().pid()
                        || ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(f)) {
                        deleted.add(f);
                    }
                } catch (NoSuchFileException e) {
                    // Another sweeper was first.
                } catch (IOException e) {
                    throw new ArenaException(f, "deleting a stale arena failed: " + e, e);
                }
            }
        } catch (IOException e) {
            throw new ArenaException(dir, "listing stale arenas failed: " + e, e);
        }
        return deleted;
    }

    /**
     * Returns an id of the running host: its boot id where Linux offers one, else its host name.
     * Two processes with the same id run on the same machine (so they can share an arena, given
     * access to the same runtime directory).
     *
     * @return the id
     */
    public static String hostId() {
        try {
            return "boot:" + Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException | SecurityException e) {
            try {
                return "host:" + java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException u) {
                return "unknown";
            }
        }
    }

    @Override
    public String toString() {
        return "Arena[" + path + ", " + slots + " slots of " + slotBytes + " bytes]";
    }
}
