package dev.batcher.service.transport;

import dev.batcher.api.BatchShapes;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import dev.batcher.service.pool.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job's result must look like: the shapes its spec implies, worked out by the daemon's own
 * materialiser ({@code Materializer.layout}, which reads the first item) and cached by what decides
 * them (dataset, options, item count, the first item's file, signal, channels, lengths and labels),
 * so a batcher costs the daemon one item read per distinct shape, not one per job. A remote
 * worker's result of other shapes is rejected ({@link #rejected()} counts them).
 *
 * <p>If the daemon cannot work the shapes out (it may not see a remote worker's files), the future
 * completes with null and results are accepted as their header describes them, logged once.
 */
final class ResultShapes {
    private static final Logger log = LoggerFactory.getLogger(ResultShapes.class);
    private static final int MAX_ENTRIES = 256;

    private record Key(String dataset, MaterializeOptions options, int items, String file, String signal, String channels,
            int sampleCount, String labels, int labelCount, int labelSkip) {}

    private final Function<Job, BatchShapes> layout;
    private final Executor blocking;
    private final AtomicLong rejected = new AtomicLong();
    private final Map<Key, CompletableFuture<BatchShapes>> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<BatchShapes>> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private volatile boolean warnedUnknown;

    /**
     * @param layout the shapes of a job's batch (reads its first item)
     * @param blocking where that read runs, off the event loops
     */
    ResultShapes(Function<Job, BatchShapes> layout, Executor blocking) {
        this.layout = layout;
        this.blocking = blocking;
    }

    /** A check that knows nothing: every result is accepted as described. */
    static ResultShapes none() {
        return new ResultShapes(null, Runnable::run);
    }

    /**
     * Returns the shapes the job's result must have.
     *
     * @param job the job
     * @return the shapes, or null (when the daemon cannot tell)
     */
    CompletableFuture<BatchShapes> expected(Job job) {
        if (layout == null || job.spec().items().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        BatchSpec spec = job.spec();
        ItemSpec first = spec.items().get(0);
        Key key = new Key(job.dataset(), job.options(), spec.items().size(), first.file(), first.signal(),
                first.channels().toString(), first.sampleCount(), first.labels(), first.labelCount(), first.labelSkip());
        synchronized (cache) {
            return cache.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> {
                try {
                    return layout.apply(job);
                } catch (RuntimeException e) {
                    if (!warnedUnknown) {
                        warnedUnknown = true;
                        log.warn("cannot work out the shapes of batcher '{}' results in the daemon ({}); remote workers' "
                                + "results are accepted as described", job.batcher(), e.toString());
                    }
                    return null;
                }
            }, blocking));
        }
    }

    /** Counts a rejected result. */
    void reject() {
        rejected.incrementAndGet();
    }

    /** Returns how many results were rejected since the daemon started. */
    long rejected() {
        return rejected.get();
    }
}
