package dev.batcher.service.manager;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.ItemSpec;
import dev.batcher.client.Failure;
import dev.batcher.service.pool.JobFailedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import dev.batcher.service.pool.WorkerLostException;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed job means for its batch: a lost worker's batch goes to another worker, a failure the
 * {@link RetryPolicy} retries is dispatched again after its backoff, and anything else (or too many
 * attempts) fails the batcher with the {@link Failure} built here. Loop-confined.
 */
final class BatchFailures {
    // The batcher's logger: these lines are the batcher's story.
    private static final Logger log = LoggerFactory.getLogger(ManagedBatcher.class);

    private final String name;
    private final RetryPolicy retryPolicy;
    /** How many times a batch is retried after its first attempt. */
    private final int retryLimit;
    private final EventExecutor loop;
    private final BatcherMetrics metrics;

    BatchFailures(String name, RetryPolicy retryPolicy, Integer retries, EventExecutor loop, BatcherMetrics metrics) {
        this.name = name;
        this.retryPolicy = retryPolicy;
        this.retryLimit = retries != null ? retries : 4;
        this.loop = loop;
        this.metrics = metrics;
    }

    /**
     * Handles the failure of the last job of batch {@code e}.
     *
     * @param cause what the job failed with, unwrapped
     * @param current whether the batcher is still in the run the job belonged to, asked when a retry is due
     * @param pump dispatches the batches marked for dispatch
     * @return the failure the batcher fails with, or null if the batch goes on (sent again now or later)
     */
    Failure onJobFailed(WindowEntry e, Throwable cause, BooleanSupplier current, Runnable pump) {
        if (cause instanceof WorkerLostException lost) {
            log.warn("batcher '{}': {}; sending batch {} to another worker", name, lost.getMessage(), e.prev);
            metrics.redispatched++;
            e.needsDispatch = true;
            pump.run();
            return null;
        }
        e.failures++;
        if (e.failures > retryLimit || !retryPolicy.retries(cause)) {
            // A deterministic failure (bad spec, missing channel, corrupt data) would fail every attempt.
            return failureOf(cause, e.worker, e.prev, e.spec, e.failures);
        }
        metrics.retries++;
        long delay = retryPolicy.delayNanos(e.failures);
        log.warn("batcher '{}': batch {} failed on worker {} (attempt {} of {}), retrying in {} ms: {}", name, e.prev,
                e.worker, e.failures, retryLimit + 1, delay / 1_000_000, cause.toString());
        e.retryTimer = loop.schedule(() -> {
            e.retryTimer = null;
            if (current.getAsBoolean()) {
                e.needsDispatch = true;
                pump.run();
            }
        }, delay, TimeUnit.NANOSECONDS);
        return null;
    }

    /** Returns the cause a future completed with, without the {@link CompletionException} around it. */
    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * Describes a failure: a worker's remote exception as the worker reported it, anything else with
     * its local stack.
     */
    static Failure failureOf(Throwable cause, String worker, BatchState state, BatchSpec spec, int attempts) {
        String batch = spec == null ? "(not iterated)"
                : spec.items().stream().map(ItemSpec::describe).collect(Collectors.joining("; "));
        if (cause instanceof JobFailedException j) {
            return new Failure(j.remoteClass(), j.remoteMessage(), j.remoteStack(), j.worker(), String.valueOf(state), batch,
                    attempts);
        }
        StringWriter w = new StringWriter();
        cause.printStackTrace(new PrintWriter(w));
        return new Failure(cause.getClass().getName(), String.valueOf(cause.getMessage()), w.toString(), worker,
                String.valueOf(state), batch, attempts);
    }
}
