package dev.batcher.service.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker tells the manager about its object-storage reads with each job result: which of the
 * job's files its file cache now holds, which files it evicted since its last report, and its
 * cumulative counters. The manager's {@link WorkerPool} sends later jobs for those files to it
 * (locality) and status and metrics sum the counters. Names are {@code s3://bucket/key}.
 *
 * <p>In a {@code JOB_RESULT} header it is the optional field {@code "storage"}:
 * <pre>
 * "storage": {"held": ["s3://b/ds/n1.h5"], "dropped": [], "requests": 12, "bytesFetched": 4096,
 *             "cachedReads": 9, "cacheHitReads": 7, "rangedReads": 3}
 * </pre>
 *
 * @param held the job's files the worker's cache holds after the job
 * @param dropped files evicted from the worker's cache since its previous report
 * @param requests HTTP requests sent so far (retries included)
 * @param bytesFetched object bytes received so far
 * @param cachedReads windows read through the file cache so far
 * @param cacheHitReads of those, reads that needed no download
 * @param rangedReads windows read with ranged GETs so far
 */
public record StorageReport(List<String> held, List<String> dropped, long requests, long bytesFetched,
                            long cachedReads, long cacheHitReads, long rangedReads) {
    /** Copies the lists. */
    public StorageReport {
        held = List.copyOf(held);
        dropped = List.copyOf(dropped);
    }

    /** Writes this report as the {@code storage} field of {@code header}. */
    public void writeTo(ObjectNode header) {
        ObjectNode o = header.putObject("storage");
        held.forEach(o.putArray("held")::add);
        dropped.forEach(o.putArray("dropped")::add);
        o.put("requests", requests);
        o.put("bytesFetched", bytesFetched);
        o.put("cachedReads", cachedReads);
        o.put("cacheHitReads", cacheHitReads);
        o.put("rangedReads", rangedReads);
    }

    /**
     * Reads the {@code storage} field of a header.
     *
     * @param header the frame header
     * @return the report, or null if the header has none or it is malformed (locality is a hint; a
     *     worker that reports nothing is dispatched to by load alone)
     */
    public static StorageReport readFrom(JsonNode header) {
        JsonNode o = header == null ? null : header.get("storage");
        if (o == null || !o.isObject()) {
            return null;
        }
        return new StorageReport(strings(o.get("held")), strings(o.get("dropped")), o.path("requests").asLong(),
                o.path("bytesFetched").asLong(), o.path("cachedReads").asLong(), o.path("cacheHitReads").asLong(),
                o.path("rangedReads").asLong());
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null && a.isArray()) {
            for (JsonNode s : a) {
                if (s.isTextual()) {
                    out.add(s.asText());
                }
            }
        }
        return out;
    }

    /**
     * Merges a newer report into this one (not yet consumed): holdings and drops accumulate, a file
     * held again is no longer dropped, counters are the newer ones.
     */
    public StorageReport then(StorageReport next) {
        List<String> h = new ArrayList<>(held);
        List<String> d = new ArrayList<>(dropped);
        d.removeAll(next.held);
        h.removeAll(next.dropped);
        h.addAll(next.held);
        d.addAll(next.dropped);
        return new StorageReport(h, d, next.requests, next.bytesFetched, next.cachedReads, next.cacheHitReads,
                next.rangedReads);
    }

    /**
     * The reports a worker has received since the pool last asked: each report is merged into the
     * pending one ({@link #then}), and {@link #drain} hands the merge over once. Thread-safe: results
     * arrive on worker threads or event loops, the pool drains on its own loop.
     */
    public static final class Pending {
        private StorageReport pending;

        /** Merges a report into the pending one; null (no object-storage reads) is ignored. */
        public synchronized void add(StorageReport r) {
            if (r != null) {
                pending = pending == null ? r : pending.then(r);
            }
        }

        /** Returns the merged reports since the last call, or null if there were none. */
        public synchronized StorageReport drain() {
            StorageReport r = pending;
            pending = null;
            return r;
        }
    }
}
