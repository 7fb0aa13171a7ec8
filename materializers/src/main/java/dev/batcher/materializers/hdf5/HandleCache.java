package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A bounded LRU cache of open HDF5 files with leases, keyed by real path or {@code s3://bucket/key}. {@link #acquire} hands out a leased handle;
 * every lease must be given back with {@link #release}. A handle pushed out of the cache (or
 * discarded as broken, or left over at {@link #close}) is retired: it is closed as soon as its last
 * lease ends, never while a thread still reads from it. So at most {@code capacity} handles sit in
 * the cache, plus the retired ones still being read.
 *
 * <p>All bookkeeping happens under this object's monitor; opening and closing files happen outside
 * it, so a slow open never blocks readers of other files. Two threads missing the same file at
 * once may both open it; the loser closes its copy.
 */
final class HandleCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandleCache.class);

    private final int capacity;
    private final Function<String, Handle> opener;
    private final LinkedHashMap<String, Handle> cached = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicInteger openFiles = new AtomicInteger();
    private boolean closed;

    HandleCache(int capacity, Function<String, Handle> opener) {
        this.capacity = capacity;
        this.opener = opener;
    }

    /**
     * Leases the handle of {@code path}, opening the file if it is not cached.
     *
     * @throws IllegalStateException if the cache is closed
     * @throws RuntimeException whatever the opener throws
     */
    Handle acquire(String path) {
        synchronized (this) {
            ensureOpen();
            Handle handle = cached.get(path);
            if (handle != null) {
                handle.leases++;
                return handle;
            }
        }
        Handle fresh = opener.apply(path);
        openFiles.incrementAndGet();
        List<Handle> toClose = new ArrayList<>();
        Handle result;
        synchronized (this) {
            if (closed) {
                toClose.add(fresh);
                result = null;
            } else {
                Handle raced = cached.get(path);
                if (raced != null) {
                    raced.leases++;
                    toClose.add(fresh);
                    result = raced;
                } else {
                    fresh.leases = 1;
                    cached.put(path, fresh);
                    evictBeyondCapacity(toClose);
                    result = fresh;
                }
            }
        }
        closeAll(toClose);
        if (result == null) {
            throw new IllegalStateException("RecordingFiles: closed (expected: open while reading)");
        }
        return result;
    }

    /** Ends one lease; closes the handle if it is retired and this was its last lease. */
    void release(Handle handle) {
        boolean close;
        synchronized (this) {
            handle.leases--;
            close = handle.leases == 0 && handle.retired && !handle.closed;
            if (close) {
                handle.closed = true;
            }
        }
        if (close) {
            closeFile(handle);
        }
    }

    /**
     * Takes a broken handle (its channel was closed, for example by an interrupt) out of the cache so
     * that the next {@link #acquire} opens the file afresh. The handle closes at its last lease.
     */
    synchronized void discard(Handle handle) {
        if (cached.get(handle.path) == handle) {
            cached.remove(handle.path);
        }
        handle.retired = true;
    }

    private void evictBeyondCapacity(List<Handle> toClose) {
        Iterator<Map.Entry<String, Handle>> eldest = cached.entrySet().iterator();
        while (cached.size() > capacity && eldest.hasNext()) {
            Handle handle = eldest.next().getValue();
            eldest.remove();
            retire(handle, toClose);
        }
    }

    private void retire(Handle handle, List<Handle> toClose) {
        handle.retired = true;
        if (handle.leases == 0 && !handle.closed) {
            handle.closed = true;
            toClose.add(handle);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("RecordingFiles: closed (expected: open while reading)");
        }
    }

    /**
     * Closes every cached handle no one is reading (so that what they hold, such as file-cache leases,
     * is given back); handles being read stay.
     *
     * @return how many were closed
     */
    int closeIdle() {
        List<Handle> toClose = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<String, Handle>> it = cached.entrySet().iterator();
            while (it.hasNext()) {
                Handle handle = it.next().getValue();
                if (handle.leases == 0) {
                    it.remove();
                    retire(handle, toClose);
                }
            }
        }
        closeAll(toClose);
        return toClose.size();
    }

    /** Returns the number of files open right now: cached plus retired ones still leased. */
    int openFiles() {
        return openFiles.get();
    }

    /** Returns the number of handles in the cache. */
    synchronized int cachedFiles() {
        return cached.size();
    }

    /** Retires every handle; idle ones close now, leased ones at their last lease. */
    @Override
    public void close() {
        List<Handle> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Handle handle : cached.values()) {
                retire(handle, toClose);
            }
            cached.clear();
        }
        closeAll(toClose);
    }

    private void closeAll(List<Handle> handles) {
        for (Handle handle : handles) {
            closeFile(handle);
        }
    }

    private void closeFile(Handle handle) {
        try {
            try {
                handle.file.close();
            } finally {
                if (handle.lease != null) {
                    handle.lease.close();
                }
            }
        } catch (RuntimeException e) {
            // A read-only file: nothing is lost, but say so.
            LOG.warn("closing {} failed", handle.path, e);
        } finally {
            openFiles.decrementAndGet();
        }
    }
}
