package dev.batcher.service.manager;

import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.service.ServiceException;
import dev.batcher.service.pool.WorkerPool;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The named batchers of one daemon (for example {@code train} and {@code valid}), sharing one worker
 * pool. Thread-safe.
 *
 * <p>A batcher a client stopped ({@code CLOSED}) stays, with its figures, for the closed retention
 * ({@link #DEFAULT_CLOSED_RETENTION} unless told otherwise) after its stop, then leaves the manager: it
 * is no longer listed, and {@code start}, {@code take}, {@code stop} and {@code status} on its name fail
 * as on a name never created. {@code create} makes it again (stopped, with fresh figures, with any
 * spec). A batcher started again within the retention stays. Stopped-but-never-started, running, done
 * and failed batchers stay until the daemon stops.
 */
public final class Manager implements AutoCloseable {
    /** How long a CLOSED batcher stays listed after its stop, unless the daemon is told otherwise. */
    public static final Duration DEFAULT_CLOSED_RETENTION = Duration.ofMinutes(10);

    private final WorkerPool pool;
    private final RetryPolicy retryPolicy;
    private final LongSupplier ticker;
    private final AtomicLong jobIds = new AtomicLong();
    private final Map<String, ManagedBatcher> batchers = new TreeMap<>();
    private final DatasetRoots datasetRoots;
    private final ArenaFactory arenas;
    private final long closedRetentionNanos;

    /**
     * Creates a manager with no batchers.
     *
     * @param pool the worker pool
     * @param retryPolicy the backoff between retries
     * @param ticker nanoseconds for metrics
     * @param datasetRoots the directories and {@code s3://bucket/prefix}es datasets may live under (empty: any)
     * @throws ServiceException if a root is malformed or a root directory does not exist
     */
    public Manager(WorkerPool pool, RetryPolicy retryPolicy, LongSupplier ticker, List<String> datasetRoots) {
        this(pool, retryPolicy, ticker, datasetRoots, ArenaFactory.NONE);
    }

    /**
     * Creates a manager with no batchers whose batchers put batches in shared memory.
     *
     * @param pool the worker pool
     * @param retryPolicy the backoff between retries
     * @param ticker nanoseconds for metrics
     * @param datasetRoots the directories and {@code s3://bucket/prefix}es datasets may live under (empty: any)
     * @param arenas makes each batcher's shared-memory arena
     * @throws ServiceException if a root is malformed or a root directory does not exist
     */
    public Manager(WorkerPool pool, RetryPolicy retryPolicy, LongSupplier ticker, List<String> datasetRoots,
                   ArenaFactory arenas) {
        this(pool, retryPolicy, ticker, datasetRoots, arenas, DEFAULT_CLOSED_RETENTION);
    }

    /**
     * Creates a manager with no batchers whose batchers put batches in shared memory, and which drops a
     * CLOSED batcher {@code closedRetention} after its stop.
     *
     * @param pool the worker pool
     * @param retryPolicy the backoff between retries
     * @param ticker nanoseconds for metrics and the closed retention
     * @param datasetRoots the directories and {@code s3://bucket/prefix}es datasets may live under (empty: any)
     * @param arenas makes each batcher's shared-memory arena
     * @param closedRetention how long a CLOSED batcher stays after its stop
     * @throws IllegalArgumentException if {@code closedRetention} is negative
     * @throws ServiceException if a root is malformed or a root directory does not exist
     */
    public Manager(WorkerPool pool, RetryPolicy retryPolicy, LongSupplier ticker, List<String> datasetRoots,
                   ArenaFactory arenas, Duration closedRetention) {
        if (closedRetention.isNegative()) {
            throw new IllegalArgumentException("closedRetention: " + closedRetention + " (expected: >= 0)");
        }
        this.closedRetentionNanos = closedRetention.toNanos();
        this.arenas = Objects.requireNonNull(arenas, "arenas");
        this.pool = Objects.requireNonNull(pool, "pool");
        try {
            this.datasetRoots = DatasetRoots.of(datasetRoots);
        } catch (StorageException e) {
            throw new ServiceException(e.getMessage(), e);
        }
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Returns the worker pool. */
    public WorkerPool pool() {
        return pool;
    }

    /**
     * Creates a batcher, loading and validating its dataset. Creating a name again with an equal spec
     * returns the existing batcher, so clients can create on every connect.
     *
     * @param name the batcher's name: letters, digits, {@code _.-}
     * @param spec what it serves
     * @return the batcher, stopped if new
     * @throws IllegalArgumentException if the name is malformed
     * @throws ServiceException if the name exists with another spec, or the dataset is outside the
     *     dataset roots
     * @throws dev.batcher.materializers.MaterializerException if the dataset or source is invalid
     */
    public ManagedBatcher create(String name, BatcherSpec spec) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: 1 to 64 of A-Z a-z 0-9 _ . -)");
        }
        synchronized (batchers) {
            dropExpired();
            ManagedBatcher existing = batchers.get(name);
            if (existing != null) {
                if (existing.spec().equals(spec)) {
                    return existing;
                }
                throw new ServiceException("batcher '" + name + "' exists with another spec " + existing.spec()
                        + " (expected: the same spec, or a new name)");
            }
        }
        DatasetLocation location;
        try {
            location = datasetRoots.check(spec.dataset(), "the daemon", "serve it");
        } catch (StorageException e) {
            throw new ServiceException(e.getMessage(), e);
        }
        Dataset dataset = Dataset.load(location, Storage.shared());
        BatchSource source = BatchSources.build(spec.source(), dataset.signals());
        synchronized (batchers) {
            ManagedBatcher existing = batchers.get(name);
            if (existing != null) {
                return create(name, spec);
            }
            ManagedBatcher b = new ManagedBatcher(name, spec, source, pool, retryPolicy, ticker, jobIds::incrementAndGet, arenas);
            batchers.put(name, b);
            return b;
        }
    }

    /**
     * Returns a batcher.
     *
     * @param name its name
     * @return the batcher
     * @throws ServiceException if there is none by that name; the message lists the names
     */
    public ManagedBatcher get(String name) {
        synchronized (batchers) {
            dropExpired();
            ManagedBatcher b = batchers.get(name);
            if (b == null) {
                throw new ServiceException("batcher: '" + name + "' (expected: one of " + batchers.keySet()
                        + "; create it first: a batcher stopped for longer than " + retention()
                        + " leaves the daemon)");
            }
            return b;
        }
    }

    /** Returns the batchers' names, sorted. */
    public List<String> names() {
        synchronized (batchers) {
            dropExpired();
            return List.copyOf(batchers.keySet());
        }
    }

    /** Returns the batchers, sorted by name (those past the closed retention dropped first). */
    public List<ManagedBatcher> batchers() {
        synchronized (batchers) {
            dropExpired();
            return List.copyOf(batchers.values());
        }
    }

    /** Drops the batchers CLOSED for longer than the retention; called holding the lock. */
    private void dropExpired() {
        long now = ticker.getAsLong();
        Iterator<ManagedBatcher> it = batchers.values().iterator();
        while (it.hasNext()) {
            long closedAt = it.next().closedAt();
            // Compared as a difference: the ticker (System.nanoTime) may be negative or wrap.
            if (closedAt != ManagedBatcher.NOT_CLOSED && now - closedAt >= closedRetentionNanos) {
                it.remove();
            }
        }
    }

    private String retention() {
        return Duration.ofNanos(closedRetentionNanos).toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /** Stops every batcher. */
    @Override
    public void close() {
        List<ManagedBatcher> all;
        synchronized (batchers) {
            all = List.copyOf(batchers.values());
        }
        CompletableFuture.allOf(all.stream().map(ManagedBatcher::stop).toArray(CompletableFuture[]::new)).join();
    }
}
