package dev.batcher.materializers.storage;

import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What a process reads object-storage datasets with: one {@link S3Store} (created on first use) and
 * one {@link FileCache}, plus the read counters that status and metrics show. A worker has one.
 *
 * <p>{@link #shared()} is configured from system properties, then the environment:
 * {@code batcher.cache.dir} / {@code BATCHER_CACHE_DIR} (default: {@code batcher-cache-PID} in the
 * temporary directory) and {@code batcher.cache.bytes} / {@code BATCHER_CACHE_BYTES} (default 4 GiB;
 * suffixes k, m, g allowed); the store as {@link S3Store.Options#fromEnvironment()} says. Every
 * instance reads {@code batcher.s3.concurrency} / {@code BATCHER_S3_CONCURRENCY} (default 16): the
 * most reads its {@link #fetchExecutor()} runs at once.
 */
public final class Storage implements AutoCloseable {
    /** The system property naming the cache directory. */
    public static final String CACHE_DIR_PROPERTY = "batcher.cache.dir";
    /** The system property giving the cache bound. */
    public static final String CACHE_BYTES_PROPERTY = "batcher.cache.bytes";
    /** The default cache bound: 4 GiB. */
    public static final long DEFAULT_CACHE_BYTES = 4L << 30;

    /** The system property bounding the ranged GETs one process keeps in flight. */
    public static final String FETCH_CONCURRENCY_PROPERTY = "batcher.s3.concurrency";
    /** The default bound on ranged GETs in flight: 16 (a GET to S3 mostly waits on the network). */
    public static final int DEFAULT_FETCH_CONCURRENCY = 16;

    private static volatile Storage shared;

    private final Supplier<S3Store> storeFactory;
    private final Path cacheDir;
    private final long cacheBytes;
    private volatile S3Store store;
    private volatile FileCache cache;
    private final boolean ownsStore;
    private final LongAdder rangedReads = new LongAdder();
    private final LongAdder cachedReads = new LongAdder();
    private final LongAdder cacheHitReads = new LongAdder();
    private final int fetchConcurrency;
    private volatile ThreadPoolExecutor fetchExecutor;

    /**
     * Read counters and cache figures.
     *
     * @param requests HTTP requests sent (retries included)
     * @param throttled 503 responses
     * @param bytesFetched object bytes received
     * @param retries reads tried again after a short or reset body
     * @param rangedReads windows read by ranged GETs (contiguous datasets)
     * @param cachedReads windows read through the file cache (chunked and compressed datasets)
     * @param cacheHitReads of those, reads that found their file cached or open (no download)
     * @param cache the file cache's own figures, or null if none was created
     */
    public record Stats(long requests, long throttled, long bytesFetched, long retries, long rangedReads,
                        long cachedReads, long cacheHitReads, FileCache.Stats cache) {
        /** Returns cacheHitReads / cachedReads, or 0 before any. */
        public double hitRatio() {
            return cachedReads == 0 ? 0 : (double) cacheHitReads / cachedReads;
        }
    }

    /**
     * Creates storage over a store and a cache.
     *
     * @param store the store (owned: closed with this object)
     * @param cacheDir the cache directory (owned by the cache)
     * @param cacheBytes the cache bound
     */
    public Storage(S3Store store, Path cacheDir, long cacheBytes) {
        this(() -> store, cacheDir, cacheBytes, true);
        this.store = store;
    }

    private Storage(Supplier<S3Store> storeFactory, Path cacheDir, long cacheBytes, boolean ownsStore) {
        if (cacheBytes <= 0) {
            throw new IllegalArgumentException("cacheBytes: " + cacheBytes + " (expected: > 0)");
        }
        this.storeFactory = storeFactory;
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
        this.cacheBytes = cacheBytes;
        this.ownsStore = ownsStore;
        String c = setting(FETCH_CONCURRENCY_PROPERTY, "BATCHER_S3_CONCURRENCY");
        this.fetchConcurrency = c == null ? DEFAULT_FETCH_CONCURRENCY : parseConcurrency(c);
    }

    private static int parseConcurrency(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(FETCH_CONCURRENCY_PROPERTY + ": '" + text + "' (expected: an integer >= 1)");
    }

    /**
     * Returns the executor that reads the items of one batch from object storage at the same time:
     * at most {@value #FETCH_CONCURRENCY_PROPERTY} (default {@value #DEFAULT_FETCH_CONCURRENCY}) tasks
     * run at once in this process, the rest wait in its queue. Its daemon threads end when idle; it
     * stops with {@link #close}. Created on first use.
     *
     * @return the executor
     */
    public Executor fetchExecutor() {
        ThreadPoolExecutor e = fetchExecutor;
        if (e == null) {
            synchronized (this) {
                e = fetchExecutor;
                if (e == null) {
                    AtomicInteger n = new AtomicInteger();
                    e = new ThreadPoolExecutor(fetchConcurrency, fetchConcurrency, 30, TimeUnit.SECONDS,
                            new LinkedBlockingQueue<>(), r -> {
                                Thread t = new Thread(r, "batcher-s3-fetch-" + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
                    e.allowCoreThreadTimeOut(true);
                    fetchExecutor = e;
                }
            }
        }
        return e;
    }

    /** Returns the bound on reads in flight that {@link #fetchExecutor} keeps. */
    public int fetchConcurrency() {
        return fetchConcurrency;
    }

    /** Returns the process's storage, configured as the class description says, created on first use. */
    public static Storage shared() {
        Storage s = shared;
        if (s == null) {
            synchronized (Storage.class) {
                s = shared;
                if (s == null) {
                    String dir = setting(CACHE_DIR_PROPERTY, "BATCHER_CACHE_DIR");
                    String bytes = setting(CACHE_BYTES_PROPERTY, "BATCHER_CACHE_BYTES");
                    Path d = dir != null ? Path.of(dir)
                            : Path.of(System.getProperty("java.io.tmpdir"), "batcher-cache-" + ProcessHandle.current().pid());
                    long b = bytes != null ? parseBytes(bytes, CACHE_BYTES_PROPERTY) : DEFAULT_CACHE_BYTES;
                    s = new Storage(() -> new S3Store(S3Store.Options.fromEnvironment()), d, b, true);
                    shared = s;
                }
            }
        }
        return s;
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    /**
     * Parses a byte count with an optional suffix k, m, g or t (powers of 1024).
     *
     * @param text for example {@code 512m}
     * @param name what it sets, for the message
     * @return the bytes
     * @throws IllegalArgumentException if the text is not a positive count
     */
    public static long parseBytes(String text, String name) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        int shift = switch (last) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        if (shift > 0) {
            t = t.substring(0, t.length() - 1);
            unit = 1L << shift;
        }
        try {
            long v = Long.parseLong(t.trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' (expected: a positive byte count such as 512m or 8g)");
        }
    }

    /** Returns the store, creating it on first use. */
    public S3Store store() {
        S3Store s = store;
        if (s == null) {
            synchronized (this) {
                s = store;
                if (s == null) {
                    s = storeFactory.get();
                    store = s;
                }
            }
        }
        return s;
    }

    /** Returns the file cache, creating it (and its directory) on first use. */
    public FileCache cache() {
        FileCache c = cache;
        if (c == null) {
            synchronized (this) {
                c = cache;
                if (c == null) {
                    c = new FileCache(cacheDir, cacheBytes);
                    cache = c;
                }
            }
        }
        return c;
    }

    /**
     * Returns the objects the file cache holds: those of this process, or, before it read any, those an
     * earlier process left in the cache directory (the cache is opened if the directory exists; it is
     * not created).
     */
    public java.util.Set<String> cachedObjects() {
        if (cache == null && !java.nio.file.Files.isDirectory(cacheDir)) {
            return java.util.Set.of();
        }
        return cache().objects();
    }

    /** Counts a window read by a ranged GET. */
    public void countRanged() {
        rangedReads.increment();
    }

    /** Counts a window read through the cache; {@code hit} if it needed no download. */
    public void countCached(boolean hit) {
        cachedReads.increment();
        if (hit) {
            cacheHitReads.increment();
        }
    }

    /** Returns the figures so far (zeros for a store not used yet). */
    public Stats stats() {
        S3Store s = store;
        S3Store.Counters c = s == null ? new S3Store.Counters(0, 0, 0, 0) : s.counters();
        FileCache f = cache;
        return new Stats(c.requests(), c.throttled(), c.bytesFetched(), c.retries(), rangedReads.sum(),
                cachedReads.sum(), cacheHitReads.sum(), f == null ? null : f.stats());
    }

    /** Tells whether anything has been read from object storage through this storage. */
    public boolean used() {
        return store != null;
    }

    /** Closes the store (the cache's files stay until the next process cleans the directory). */
    @Override
    public void close() {
        ThreadPoolExecutor e = fetchExecutor;
        if (e != null) {
            e.shutdownNow();
        }
        S3Store s = store;
        if (s != null && ownsStore) {
            s.close();
        }
    }
}
