package dev.batcher.service.metrics;

import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Status;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Renders batcher statuses in the Prometheus text exposition format (version 0.0.4): one metric
 * family per figure, one sample per batcher, labelled {@code batcher="name"}.
 */
public final class PrometheusFormat {
    private PrometheusFormat() {}

    private record Family(String name, String type, String help, ToDoubleFunction<BatcherStatus> value) {}

    private static final List<Family> FAMILIES = List.of(
            new Family("batcher_batches_produced_total", "counter", "Batches materialised.", s -> s.produced()),
            new Family("batcher_batches_taken_total", "counter", "Batches taken by clients.", s -> s.taken()),
            new Family("batcher_batches_buffered", "gauge", "Materialised batches waiting to be taken.", s -> s.buffered()),
            new Family("batcher_batches_in_flight", "gauge", "Batches being materialised.", s -> s.inFlight()),
            new Family("batcher_capacity", "gauge", "Most batches buffered plus in flight.", s -> s.capacity()),
            new Family("batcher_retries_total", "counter", "Materialisations retried after a failure.", s -> s.retries()),
            new Family("batcher_redispatched_total", "counter", "Jobs moved to another worker after theirs was lost.",
                    s -> s.redispatched()),
            new Family("batcher_hedged_total", "counter",
                    "Jobs also sent to a second worker because they ran long against recent jobs, held up the stream or sat on a silent worker (the first result wins).",
                    s -> s.hedged()),
            new Family("batcher_restarts_total", "counter", "Restarts caused by take at another state.", s -> s.restarts()),
            new Family("batcher_workers", "gauge", "Workers in the pool.", s -> s.workers()),
            new Family("batcher_slots", "gauge", "Worker slots in the pool.", s -> s.slots()),
            new Family("batcher_waiting_for_workers", "gauge", "1 if work waits for a worker to join.",
                    s -> s.waitingForWorkers() ? 1 : 0),
            new Family("batcher_batches_per_second", "gauge", "Batches taken per second since the last start.",
                    BatcherStatus::batchesPerSecond),
            new Family("batcher_take_wait_seconds_total", "counter", "Time clients spent waiting in take.",
                    BatcherStatus::takeWaitSeconds),
            new Family("batcher_worker_restarts_total", "counter",
                    "Local worker processes started in place of ones that exited (daemon-wide).", s -> s.workerRestarts()),
            new Family("batcher_object_requests_total", "counter",
                    "HTTP requests workers sent to object storage, retries included (daemon-wide).", s -> s.objectRequests()),
            new Family("batcher_object_bytes_fetched_total", "counter",
                    "Object bytes workers received from object storage (daemon-wide).", s -> s.objectBytesFetched()),
            new Family("batcher_object_requests_per_second", "gauge",
                    "Object-storage requests per second since the batcher's last start.", BatcherStatus::objectRequestsPerSecond),
            new Family("batcher_cache_hit_ratio", "gauge",
                    "Share of file-cache reads that needed no download (daemon-wide).", BatcherStatus::cacheHitRatio));

    /**
     * Renders the statuses.
     *
     * @param statuses one per batcher
     * @return the exposition text
     */
    public static String render(List<BatcherStatus> statuses) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP batcher_status 1 for the batcher's current status.\n# TYPE batcher_status gauge\n");
        for (BatcherStatus s : statuses) {
            for (Status st : Status.values()) {
                out.append("batcher_status{batcher=\"").append(escape(s.name())).append("\",status=\"")
                        .append(st.name().toLowerCase(Locale.ROOT)).append("\"} ").append(s.status() == st ? 1 : 0).append('\n');
            }
        }
        for (Family f : FAMILIES) {
            out.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (BatcherStatus s : statuses) {
                out.append(f.name).append("{batcher=\"").append(escape(s.name())).append("\"} ")
                        .append(number(f.value.applyAsDouble(s))).append('\n');
            }
        }
        return out.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
