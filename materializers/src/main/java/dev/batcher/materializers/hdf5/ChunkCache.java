package dev.batcher.materializers.hdf5;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * A bounded, thread-safe LRU of decoded chunks (inflated, and unshuffled unless {@link ChunkDecoder} left that to the window copy), so that the windows of one
 * batch that share a chunk decode it once. A chunk is keyed by the open file's {@link Handle} (a file
 * reopened is a new handle, so nothing outlives the file it came from), the dataset and the chunk's
 * offset. Loads are single-flight: threads asking for a chunk being decoded wait for that decode
 * instead of starting another. A failed load is not kept. Entries are held until the decoded bytes
 * of the finished ones exceed {@code maxBytes}; then the least recently used finished ones go.
 *
 * <p>The cached arrays are shared between readers, who only read them.
 */
final class ChunkCache {
    /** A chunk of a dataset of an open file; {@code handle} compares by identity. */
    record Key(Handle handle, String dataset, int row, int column) {
    }

    private static final class Entry {
        final FutureTask<byte[]> task;
        /** Guarded by the cache: the bytes counted for this entry (0 while it loads). */
        int bytes;

        Entry(FutureTask<byte[]> task) {
            this.task = task;
        }
    }

    private final long maxBytes;
    /** Guarded by this. Access order: the eldest is the least recently used. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Guarded by this. */
    private long bytes;
    /** Guarded by this. */
    private long loads;
    /** Guarded by this. */
    private long hits;

    /**
     * @param maxBytes the decoded bytes kept ({@code >= 0}; 0 keeps nothing but still joins concurrent loads)
     * @throws IllegalArgumentException if {@code maxBytes < 0}
     */
    ChunkCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 0)");
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Returns the chunk's decoded bytes, loading them with {@code load} unless they are cached or being
     * loaded by another thread (then this waits for that load).
     *
     * @throws RuntimeException what {@code load} threw (for this thread or the one that loaded)
     * @throws InterruptedException if this thread is interrupted while it waits for another's load
     */
    byte[] get(Key key, Supplier<byte[]> load) throws InterruptedException {
        Entry entry;
        boolean mine = false;
        synchronized (this) {
            entry = entries.get(key);
            if (entry == null) {
                entry = new Entry(new FutureTask<>(load::get));
                entries.put(key, entry);
                loads++;
                mine = true;
            } else {
                hits++;
            }
        }
        if (mine) {
            entry.task.run();
        }
        byte[] chunk;
        try {
            chunk = entry.task.get();
        } catch (ExecutionException e) {
            synchronized (this) {
                entries.remove(key, entry);
            }
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("chunk load of " + key + ": " + cause, cause);
        }
        if (mine) {
            synchronized (this) {
                if (entries.get(key) == entry) {
                    entry.bytes = chunk.length;
                    bytes += chunk.length;
                    evict();
                }
            }
        }
        return chunk;
    }

    /** Drops least recently used finished entries while the kept bytes exceed the bound. Holds the lock. */
    private void evict() {
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.bytes > 0) {
                bytes -= e.bytes;
                it.remove();
            }
        }
    }

    /** Drops every entry. */
    synchronized void clear() {
        entries.entrySet().removeIf(e -> e.getValue().bytes > 0);
        bytes = 0;
    }

    /** Returns {loads started, hits, bytes kept, entries} (for tests and benchmarks). */
    synchronized long[] stats() {
        return new long[] {loads, hits, bytes, entries.size()};
    }
}
