package dev.batcher.materializers.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded on-disk cache of whole objects, one per worker, for files that cannot be read by byte
 * ranges alone (chunked and compressed HDF5 datasets, which jhdf reads through their B-trees).
 *
 * <ul>
 *   <li><b>Bounded by bytes:</b> the files it holds total at most {@code maxBytes}; the least recently
 *       used unleased ones go first.
 *   <li><b>Atomic writes:</b> an object is downloaded to a hidden temporary file in the cache
 *       directory and renamed into place only once its byte count checks out, so a crash never leaves
 *       a half file that looks whole.
 *   <li><b>Validated by ETag:</b> an entry is keyed by bucket, key and ETag; asking for another ETag
 *       (the object changed) downloads afresh and drops the old entry when unleased.
 *   <li><b>No eviction in use:</b> {@link #acquire} leases an entry; a leased entry is never evicted. If
 *       the room a download needs is held by leased entries, or an object is larger than the whole
 *       cache, {@link #acquire} fails with {@link StorageException.Reason#CACHE_TOO_SMALL} saying how big
 *       the cache must be.
 *   <li><b>Thrashing is reported:</b> downloading again an object this cache evicted logs a warning
 *       (the first time and every 100th) with the hit ratio and the advice to grow the cache.
 * </ul>
 *
 * <p>Two threads missing the same object at once download it once: the second waits for the first.
 * The directory has one owner: a lock file ({@code .lock}) refuses a second cache, in this process or
 * another. <b>It survives restarts:</b> beside each file a small record ({@code .meta}: the object, its
 * ETag and size) says what it holds; a new cache in the same directory keeps every file whose record
 * names it (the file name is the hash of object and ETag) and whose size matches, so a worker that
 * restarts under the same name starts warm. Files of a later ETag are fetched afresh as usual, and a
 * file without a valid record, or a temporary file, is deleted. Thread-safe.
 */
public final class FileCache {
    private static final Logger LOG = LoggerFactory.getLogger(FileCache.class);
    /** The ending of a cached object's file name. */
    static final String SUFFIX = ".obj";
    
    private final Path dir;
    private final long maxBytes;
    private final CacheDirectory files;
    private final LinkedHashMap<String, CacheEntry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Object> downloading = new HashMap<>();
    private final Set<String> evictedKeys = new HashSet<>();
    /** Objects evicted or dropped since the last {@link #drainDropped()}, so workers can tell the manager. */
    private final Set<String> dropped = new java.util.LinkedHashSet<>();
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder refetches = new LongAdder();

    /**
     * A leased cached file. Closing ends the lease; the file may then be evicted.
     */
    public final class Lease implements AutoCloseable {
        private final CacheEntry entry;
        private final boolean hit;
        private boolean closed;

        private Lease(CacheEntry entry, boolean hit) {
            this.entry = entry;
            this.hit = hit;
        }

        /** Returns the local copy; valid until {@link #close()}. */
        public Path path() {
            return entry.path;
        }

        /** Tells whether the object was already cached (no download). */
        public boolean hit() {
            return hit;
        }

        @Override
        public void close() {
            release(this);
        }
    }

    /**
     * Counters and sizes.
     *
     * @param hits acquisitions served from disk
     * @param misses acquisitions that downloaded
     * @param evictions entries evicted for room
     * @param bytes bytes held now
     * @param maxBytes the bound
     * @param files entries held now
     */
    public record Stats(long hits, long misses, long evictions, long bytes, long maxBytes, int files) {
        /** Returns hits / (hits + misses), or 0 before any acquisition. */
        public double hitRatio() {
            long n = hits + misses;
            return n == 0 ? 0 : (double) hits / n;
        }
    }

    /**
     * Creates a cache in {@code dir} (created if missing; leftover entries and temporary files deleted).
     *
     * @param dir the directory, which this cache owns
     * @param maxBytes the bound, {@code > 0}
     * @throws IllegalArgumentException if {@code maxBytes <= 0}
     * @throws StorageException if the directory cannot be created or cleaned, or another cache owns it
     */
    public FileCache(Path dir, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
        }
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        try {
            files = new CacheDirectory(this.dir);
            restore();
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.FAILED, "cache " + this.dir,
                    "not usable (expected: a writable directory): " + e, e);
        }
    }

    /**
     * Keeps the files an earlier owner left with a valid record, least recently written first (so
     * they are evicted first), within {@code maxBytes}; deletes everything else it wrote.
     */
    private void restore() throws IOException {
        List<CacheEntry> kept = files.scan();
        long total = 0;
        for (CacheEntry e : kept) {
            total += e.size;
        }
        for (CacheEntry e : kept) {
            if (total > maxBytes) { // the bound shrank since: the oldest go
                total -= e.size;
                files.delete(e);
                continue;
            }
            entries.put(e.id, e);
            bytes += e.size;
        }
        if (!entries.isEmpty()) {
            LOG.info("file cache {}: kept {} files ({} bytes) from an earlier run, checked against the ETags recorded with them",
                    dir, entries.size(), bytes);
        }
    }

    /**
     * Gives up the directory's lock, as the end of the process does: another cache may then open it. A
     * worker keeps its cache for its life; the package's tests stand in for a restart with it.
     */
    void release() {
        files.unlock();
    }

    /** Returns the directory. */
    public Path dir() {
        return dir;
    }

    /** Returns the bound in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Downloads an object into a file (the cache passes a fresh temporary file). */
    @FunctionalInterface
    public interface Downloader {
        /**
         * Writes the object into {@code target}.
         *
         * @param target the file to write
         * @throws StorageException if the download fails
         */
        void download(Path target);
    }

    /**
     * Leases the local copy of an object, downloading it if no copy with this ETag is held.
     *
     * @param object the object's name, for example {@code s3://bucket/key}
     * @param etag its current ETag
     * @param size its size in bytes
     * @param downloader writes the object into a given file
     * @return the lease; close it when done reading
     * @throws StorageException with reason {@link StorageException.Reason#CACHE_TOO_SMALL} if the object is larger
     *     than the cache or the room it needs is held by files being read; or whatever the download throws
     */
    public Lease acquire(String object, String etag, long size, Downloader downloader) {
        String id = object + "\n" + etag;
        Object lock;
        synchronized (this) {
            CacheEntry e = entries.get(id);
            if (e != null) {
                e.leases++;
                hits.increment();
                return new Lease(e, true);
            }
            if (size > maxBytes) {
                throw new StorageException(StorageException.Reason.CACHE_TOO_SMALL, object,
                        "size " + size + " bytes (expected: at most the cache's " + maxBytes
                                + " bytes; give the worker a cache of at least " + size + " bytes, --cache-bytes)", null);
            }
            lock = downloading.computeIfAbsent(id, k -> new Object());
        }
        synchronized (lock) {
            synchronized (this) {
                CacheEntry e = entries.get(id);
                if (e != null) { // another thread downloaded it while this one waited
                    e.leases++;
                    hits.increment();
                    return new Lease(e, true);
                }
                makeRoom(object, size);
                bytes += size; // reserved while downloading
            }
            boolean done = false;
            try {
                Path target = files.store(id, object, etag, size, downloader);
                CacheEntry entry = new CacheEntry(id, object, target, size);
                entry.leases = 1;
                boolean again;
                List<CacheEntry> stale = new ArrayList<>();
                synchronized (this) {
                    // An entry of the same object with another ETag is stale: drop it (at its last lease).
                    for (Iterator<CacheEntry> it = entries.values().iterator(); it.hasNext(); ) {
                        CacheEntry old = it.next();
                        if (old.object.equals(object)) {
                            it.remove();
                            bytes -= old.size;
                            old.dropped = true;
                            noteDropped(old.object);
                            if (old.leases == 0) {
                                stale.add(old);
                            }
                        }
                    }
                    entries.put(id, entry);
                    dropped.remove(object);
                    downloading.remove(id);
                    again = evictedKeys.remove(object);
                }
                stale.forEach(files::delete);
                misses.increment();
                done = true;
                if (again) {
                    refetches.increment();
                    long n = refetches.sum();
                    if (n == 1 || n % 100 == 0) {
                        Stats s = stats();
                        LOG.warn("file cache {}: downloading {} again after evicting it ({} such refetches; hit ratio "
                                + "{}): the cache of {} bytes is too small for the files this worker reads; give it "
                                + "more (--cache-bytes) or more workers", dir, object, n,
                                String.format("%.2f", s.hitRatio()), maxBytes);
                    }
                }
                return new Lease(entry, false);
            } catch (IOException e) {
                throw new StorageException(StorageException.Reason.FAILED, "cache " + dir,
                        "write of " + object + " failed (expected: a writable directory with room): " + e, e);
            } finally {
                if (!done) {
                    synchronized (this) {
                        bytes -= size;
                        downloading.remove(id);
                    }
                }
            }
        }
    }

    /** Evicts unleased entries, least recently used first, until {@code size} more bytes fit. */
    private void makeRoom(String object, long size) {
        List<CacheEntry> victims = new ArrayList<>();
        long free = maxBytes - bytes;
        Iterator<CacheEntry> it = entries.values().iterator();
        while (free < size && it.hasNext()) {
            CacheEntry e = it.next();
            if (e.leases == 0) {
                victims.add(e);
                free += e.size;
            }
        }
        if (free < size) {
            long leased = 0;
            for (CacheEntry e : entries.values()) {
                leased += e.leases > 0 ? e.size : 0;
            }
            throw new StorageException(StorageException.Reason.CACHE_TOO_SMALL, object,
                    "needs " + size + " bytes of cache, but " + leased + " of its " + maxBytes
                            + " bytes hold files being read (expected: a cache that holds the files read at once, "
                            + "at least " + (leased + size) + " bytes; --cache-bytes)", null);
        }
        for (CacheEntry e : victims) {
            entries.remove(e.id);
            bytes -= e.size;
            evictions.increment();
            evictedKeys.add(e.object);
            noteDropped(e.object);
            files.delete(e);
        }
    }

    private void release(Lease lease) {
        boolean delete;
        synchronized (this) {
            if (lease.closed) {
                return;
            }
            lease.closed = true;
            CacheEntry e = lease.entry;
            e.leases--;
            delete = e.leases == 0 && e.dropped;
        }
        if (delete) {
            files.delete(lease.entry);
        }
    }

    private void noteDropped(String object) {
        if (dropped.size() < 100_000) {
            dropped.add(object);
        }
    }

    /**
     * Returns the objects evicted (or dropped as stale) since the last call and forgets them; an object
     * cached again since is not listed.
     */
    public synchronized List<String> drainDropped() {
        List<String> out = new ArrayList<>(dropped);
        dropped.clear();
        return out;
    }

    /** Tells whether a copy of {@code object} (any ETag) is held. */
    public synchronized boolean holds(String object) {
        for (CacheEntry e : entries.values()) {
            if (e.object.equals(object)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the objects held now (names as given to {@link #acquire}), in no particular order. */
    public synchronized Set<String> objects() {
        Set<String> out = new HashSet<>();
        for (CacheEntry e : entries.values()) {
            out.add(e.object);
        }
        return out;
    }

    /** Returns the counters and sizes. */
    public synchronized Stats stats() {
        return new Stats(hits.sum(), misses.sum(), evictions.sum(), bytes, maxBytes, entries.size());
    }

    @Override
    public String toString() {
        return "FileCache[" + dir + ", " + stats() + "]";
    }
}
