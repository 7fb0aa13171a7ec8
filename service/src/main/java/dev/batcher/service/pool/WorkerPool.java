package dev.batcher.service.pool;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The manager's worker slots. Confined to the manager's event loop: every method must be called on
 * {@link #loop()}, and workers joining or leaving from other threads go through {@link #join} and
 * {@link #leave}, which hop onto it.
 *
 * <p>Dispatch prefers, among workers with a free slot, the one that holds the files a job needs:
 * first by what the workers report their object-storage file caches hold ({@link StorageReport}, sent
 * with each result), then by which worker most recently read them (their open handles and page cache
 * are warm there), then the one with the most free slots. A worker whose cache holds all of a job's
 * files may take it beyond its slots, up to twice its slots in all (the job waits in its queue instead
 * of another worker downloading the files); beyond that it is overloaded and the job goes to the least
 * loaded worker, so no worker is swamped while another idles. A worker {@linkplain #suspect(Worker) suspected}
 * of silence gets no job until it is heard from again. Where a job lands never changes what it
 * contains, so locality never changes the batch sequence.
 */
public final class WorkerPool {
    private static final int RECENT_FILES = 64;
    private static final long NOT_SUSPECT = Long.MIN_VALUE;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerPool.class);

    private final EventExecutor loop;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Deque<Runnable> waiters = new ArrayDeque<>();
    private final List<Consumer<Worker>> leaveListeners = new ArrayList<>();
    private boolean locality = true;
    private final java.util.concurrent.atomic.AtomicLong workerRestarts = new java.util.concurrent.atomic.AtomicLong();
    /** The exits of local worker processes the daemon started that have not yet joined, by the name they will say. */
    private final Map<String, java.util.concurrent.CompletableFuture<?>> localProcesses =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Creates an empty pool.
     *
     * @param loop the manager's event loop
     */
    public WorkerPool(EventExecutor loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /** Returns the manager's event loop. */
    public EventExecutor loop() {
        return loop;
    }

    /** A slot on one worker, held by one job. */
    public static final class Slot {
        private final Member member;
        private boolean released;

        private Slot(Member member) {
            this.member = member;
        }

        /** Returns the worker. */
        public Worker worker() {
            return member.worker;
        }
    }

    private static final class Member {
        final Worker worker;
        int free;
        long dispatched;
        boolean gone;
        final Set<String> recentFiles = new LinkedHashSet<>();
        /** Files the worker reports its file cache holds. */
        final Set<String> held = new java.util.HashSet<>();
        /** The worker's latest cumulative storage counters, or null if it reported none. */
        StorageReport counters;
        /** Its {@link Worker#lastHeardNanos()} when it was suspected of silence, or {@link #NOT_SUSPECT}. */
        long suspectHeard = NOT_SUSPECT;

        Member(Worker worker) {
            this.worker = worker;
            this.free = worker.slots();
        }

        /** Reported holdings count double: a cached file saves a download, a recent one only warm handles. */
        int affinity(Collection<String> files) {
            int n = 0;
            for (String f : files) {
                if (held.contains(f)) {
                    n += 2;
                } else if (recentFiles.contains(f)) {
                    n++;
                }
            }
            return n;
        }

        void apply(StorageReport r) {
            held.removeAll(r.dropped());
            held.addAll(r.held());
            counters = r;
        }

        void touch(Collection<String> files) {
            for (String f : files) {
                recentFiles.remove(f);
                recentFiles.add(f);
                if (recentFiles.size() > RECENT_FILES) {
                    recentFiles.remove(recentFiles.iterator().next());
                }
            }
        }
    }

    /**
     * Adds a worker; its slots are free at once. Safe from any thread.
     *
     * @param worker the worker
     */
    public void join(Worker worker) {
        join(worker, List.of());
    }

    /**
     * Adds a worker whose object-storage file cache already holds {@code held} (a worker that rejoins,
     * or restarts with its cache, says so in its {@code HELLO}): jobs reading those files go to it as
     * if it had reported them with a result. Safe from any thread.
     *
     * @param worker the worker
     * @param held the files its cache holds, as {@link StorageReport#held()} names them
     */
    public void join(Worker worker, Collection<String> held) {
        List<String> files = List.copyOf(held);
        onLoop(() -> {
            if (members.containsKey(worker.name())) {
                throw new IllegalArgumentException("worker: " + worker.name() + " (expected: a name not already in the pool)");
            }
            Member m = new Member(worker);
            m.held.addAll(files);
            members.put(worker.name(), m);
            wakeWaiters();
        });
    }

    /**
     * Removes a worker. Its in-flight jobs fail through their futures (the worker completes them with
     * {@link WorkerLostException}); their slots are not returned. Safe from any thread.
     *
     * @param worker the worker
     */
    public void leave(Worker worker) {
        onLoop(() -> {
            Member m = members.remove(worker.name());
            if (m != null) {
                m.gone = true;
                for (Consumer<Worker> l : List.copyOf(leaveListeners)) {
                    l.accept(worker);
                }
            }
        });
    }

    /**
     * Registers a listener told (on the loop) when a worker leaves.
     *
     * @param listener the listener
     */
    public void onLeave(Consumer<Worker> listener) {
        leaveListeners.add(listener);
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /**
     * Suspects a worker of silence (frozen or cut off while its connection stays open): until it is
     * heard from again ({@link Worker#lastHeardNanos()} moves), no job goes to it, first or hedge. It
     * stays in the pool with its jobs; only the heartbeat timeout drops a worker.
     *
     * @param worker a worker of the pool (one that cannot fall silent, {@link Worker#ALWAYS_HEARD}, is never suspect)
     * @return true if it is suspect now and was not before
     */
    public boolean suspect(Worker worker) {
        Member m = members.get(worker.name());
        if (m == null || m.worker != worker || worker.lastHeardNanos() == Worker.ALWAYS_HEARD || stillSilent(m)) {
            return false;
        }
        m.suspectHeard = worker.lastHeardNanos();
        return true;
    }

    /**
     * Returns whether {@code worker} is suspected of silence and has not been heard from since.
     *
     * @param worker a worker
     */
    public boolean isSuspect(Worker worker) {
        Member m = members.get(worker.name());
        return m != null && m.worker == worker && stillSilent(m);
    }

    /** Whether {@code m} is suspect; clears it once the worker has been heard from again. */
    private static boolean stillSilent(Member m) {
        if (m.suspectHeard == NOT_SUSPECT) {
            return false;
        }
        if (m.worker.lastHeardNanos() == m.suspectHeard) {
            return true;
        }
        m.suspectHeard = NOT_SUSPECT;
        log.info("worker {} is heard from again: jobs go to it again", m.worker.name());
        return false;
    }

    /** Returns true if some worker has a free slot. */
    public boolean hasFreeSlot() {
        for (Member m : members.values()) {
            if (m.free > 0 && !stillSilent(m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a free slot for a job that reads {@code files}.
     *
     * @param files the job's files, for locality
     * @return the slot, or null if none is free
     */
    public Slot acquire(Collection<String> files) {
        Member best = null;
        int bestAffinity = -1;
        for (Member m : members.values()) {
            int a = locality ? m.affinity(files) : 0;
            // A worker holding the files may take a job beyond its slots, up to twice its slots in all
            // (the job waits in its queue, for a read without a download); more would overload it.
            boolean open = m.free > 0 || (a >= 2 * files.size() && a > 0 && m.free > -m.worker.slots());
            if (!open || stillSilent(m)) {
                continue;
            }
            if (prefer(m, a, best, bestAffinity)) {
                best = m;
                bestAffinity = a;
            }
        }
        return take(best, files);
    }

    /** Whether {@code m}, with affinity {@code a}, beats {@code best}: more of the job's files, then more free slots. */
    private static boolean prefer(Member m, int a, Member best, int bestAffinity) {
        return best == null || a > bestAffinity || (a == bestAffinity && m.free > best.free);
    }

    /** Takes one slot of {@code best} (null: none) for a job of {@code files}. */
    private static Slot take(Member best, Collection<String> files) {
        if (best == null) {
            return null;
        }
        best.free--;
        best.dispatched++;
        best.touch(files);
        return new Slot(best);
    }

    /**
     * Takes a free slot on a worker other than {@code avoid}, for a second copy of a job that runs too
     * long there (a hedge): only a slot that is free now (never a queue place), preferring workers
     * holding the job's files, then the most free slots.
     *
     * @param files the job's files, for locality
     * @param avoid the worker already running the job
     * @return the slot, or null if no other worker has a free slot
     */
    public Slot acquireOther(Collection<String> files, Worker avoid) {
        Member best = null;
        int bestAffinity = -1;
        for (Member m : members.values()) {
            if (m.worker == avoid || m.free <= 0 || stillSilent(m)) {
                continue;
            }
            int a = locality ? m.affinity(files) : 0;
            if (prefer(m, a, best, bestAffinity)) {
                best = m;
                bestAffinity = a;
            }
        }
        return take(best, files);
    }

    /**
     * Returns a slot. Idempotent; a slot of a worker that left is dropped.
     *
     * @param slot the slot
     */
    public void release(Slot slot) {
        if (slot.released) {
            return;
        }
        slot.released = true;
        StorageReport r = slot.member.worker.drainStorage();
        if (r != null) {
            slot.member.apply(r);
        }
        if (!slot.member.gone) {
            slot.member.free++;
            wakeWaiters();
        }
    }

    /**
     * Asks to be called (once, on the loop) when a slot may have become free.
     *
     * @param waiter what to run
     */
    public void awaitSlot(Runnable waiter) {
        if (!waiters.contains(waiter)) {
            waiters.add(waiter);
        }
    }

    private void wakeWaiters() {
        // Waiters re-register if they still find nothing; each runs once per wake-up, in arrival order.
        int n = waiters.size();
        for (int i = 0; i < n && hasFreeSlot(); i++) {
            waiters.poll().run();
        }
    }

    /** Counts a local worker process started in place of one that exited. Safe from any thread. */
    public void workerRestarted() {
        workerRestarts.incrementAndGet();
    }

    /**
     * Registers a local worker process the daemon started, under the name it will give in its
     * handshake, until it joins ({@link #claimProcess}) or exits. Safe from any thread.
     *
     * @param name the name the process was told to use ({@code local-N}, unique in the daemon)
     * @param exit completes when the process has exited ({@link Process#onExit()})
     */
    public void superviseProcess(String name, java.util.concurrent.CompletableFuture<?> exit) {
        localProcesses.put(name, exit);
        exit.whenComplete((v, e) -> localProcesses.remove(name, exit));
    }

    /**
     * Takes the exit of the registered local worker process called {@code name}, for the worker that
     * just completed its handshake under that name. Each registration is claimed at most once, so a
     * second connection that says the same name gets null. Safe from any thread.
     *
     * @param name the name the worker gave
     * @return completes when the process has exited, or null if no live registered process has that name
     */
    public java.util.concurrent.CompletableFuture<?> claimProcess(String name) {
        return localProcesses.remove(name);
    }

    /** Returns how many local worker processes were started in place of ones that exited. Safe from any thread. */
    public long workerRestarts() {
        return workerRestarts.get();
    }

    /**
     * Turns locality-aware dispatch on (the default) or off (least loaded only; for benchmarks that
     * measure what locality is worth).
     *
     * @param on whether to prefer workers holding a job's files
     */
    public void locality(boolean on) {
        this.locality = on;
    }

    /**
     * The object-storage counters of all workers, summed over their latest reports.
     *
     * @param requests HTTP requests sent
     * @param bytesFetched object bytes received
     * @param cachedReads windows read through file caches
     * @param cacheHitReads of those, reads that needed no download
     * @param rangedReads windows read with ranged GETs
     * @param heldFiles files the workers' caches hold, as reported
     */
    public record StorageTotals(long requests, long bytesFetched, long cachedReads, long cacheHitReads, long rangedReads,
                                int heldFiles) {
        /** Returns cacheHitReads / cachedReads, or 0 before any. */
        public double hitRatio() {
            return cachedReads == 0 ? 0 : (double) cacheHitReads / cachedReads;
        }
    }

    /** Returns the storage counters summed over the workers in the pool. */
    public StorageTotals storageTotals() {
        long req = 0;
        long bytes = 0;
        long cached = 0;
        long hits = 0;
        long ranged = 0;
        int held = 0;
        for (Member m : members.values()) {
            StorageReport c = m.counters;
            held += m.held.size();
            if (c != null) {
                req += c.requests();
                bytes += c.bytesFetched();
                cached += c.cachedReads();
                hits += c.cacheHitReads();
                ranged += c.rangedReads();
            }
        }
        return new StorageTotals(req, bytes, cached, hits, ranged, held);
    }

    /** Returns the number of workers. */
    public int workers() {
        return members.size();
    }

    /** Returns the total number of slots. */
    public int slots() {
        int n = 0;
        for (Member m : members.values()) {
            n += m.worker.slots();
        }
        return n;
    }

    /** Returns the number of free slots. */
    public int freeSlots() {
        int n = 0;
        for (Member m : members.values()) {
            n += Math.max(0, m.free);
        }
        return n;
    }

    /** Returns the workers' names and their free and total slots, in join order. */
    public List<WorkerInfo> describe() {
        List<WorkerInfo> out = new ArrayList<>();
        for (Member m : members.values()) {
            out.add(new WorkerInfo(m.worker.name(), m.worker.slots(), Math.max(0, m.free), m.dispatched));
        }
        return out;
    }

    /**
     * A worker as status shows it.
     *
     * @param name the worker's name
     * @param slots its slots
     * @param free how many are free
     * @param dispatched how many jobs it has been given
     */
    public record WorkerInfo(String name, int slots, int free, long dispatched) {}
}
