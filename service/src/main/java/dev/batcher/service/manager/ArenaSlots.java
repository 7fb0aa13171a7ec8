package dev.batcher.service.manager;

import dev.batcher.api.BatchSpec;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.arena.Arena;
import dev.batcher.service.pool.ArenaSlotBuf;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batcher's shared-memory slots: the arena, made at the first dispatch to a worker that shares
 * memory with the daemon, the slot each such job writes into, and the slots withheld because the
 * worker that held them was lost while its process may still write there. Confined to the
 * batcher's loop, as {@link ManagedBatcher} is.
 */
final class ArenaSlots {
    private static final Logger log = LoggerFactory.getLogger(ArenaSlots.class);

    private final String batcher;
    private final BatcherSpec spec;
    private final ArenaFactory arenas;
    private final EventExecutor loop;
    /** The shared-memory arena, made at the first dispatch to a worker that shares memory; closed by {@link #close}. */
    private Arena arena;
    private boolean tried;
    /** Slots of {@link #arena} withheld because a lost worker may still write into them. */
    private int quarantined;

    ArenaSlots(String batcher, BatcherSpec spec, ArenaFactory arenas, EventExecutor loop) {
        this.batcher = batcher;
        this.spec = spec;
        this.arenas = arenas;
        this.loop = loop;
    }

    /**
     * Returns a free slot for a job, making the arena first if this is the first job to a worker that
     * shares memory.
     *
     * @param first the job's spec, whose layout sizes the slots if the arena is made now
     * @param slots how many slots the arena gets if it is made now
     * @return the slot, or null if there is no arena or every slot is taken: the batch then travels as a buffer
     */
    ArenaTarget acquire(BatchSpec first, int slots) {
        if (arena == null && !tried) {
            tried = true;
            try {
                arena = arenas.create(spec, first, slots);
            } catch (RuntimeException ex) {
                log.warn("batcher '{}': no shared-memory arena, batches travel as buffers: {}", batcher, ex.toString());
            }
            if (arena != null) {
                log.info("batcher '{}': shared-memory {}", batcher, arena);
            }
        }
        if (arena == null) {
            return null;
        }
        int i = arena.acquire();
        return i < 0 ? null : new ArenaTarget(arena, i);
    }

    /**
     * Settles a job's slot when the job is over: a result written into the slot owns it now; the slot
     * of a lost worker is withheld; otherwise (a failure, or a result sent as a payload) the slot
     * returns to the arena.
     *
     * @param target the job's slot
     * @param result the job's result, or null if it failed
     * @param lost the worker, if the job failed because it was lost; otherwise null
     */
    void jobOver(ArenaTarget target, Materialized result, Worker lost) {
        if (lost != null) {
            quarantine(target, lost);
        } else if (!(result != null && result.payload() instanceof ArenaSlotBuf b && b.target().equals(target))) {
            target.release();
        }
    }

    /**
     * Withholds the slot of a job whose worker was lost: the worker's process may be alive (stopped
     * past the heartbeat timeout, say) and finish writing there later, over whatever batch the slot
     * then holds. The slot returns to the free list once the daemon has seen that process exit, and
     * never if the daemon did not start it; the job is dispatched again with another slot, or over TCP.
     */
    private void quarantine(ArenaTarget t, Worker lost) {
        CompletableFuture<?> exit = lost.processExit();
        if (t.arena() != arena) {
            return; // the arena was closed (its file deleted): the slot is gone with it
        }
        quarantined++;
        log.warn("batcher '{}': withholding slot {} of {} ({} withheld): worker {} was lost while it held the slot {}", batcher,
                t.slot(), t.arena().path(), quarantined, lost.name(), exit == null
                        ? "and is not a process this daemon started; the slot stays unused until the batcher stops"
                        : "and its process may still write into it; the slot returns when the process has exited");
        if (exit != null) {
            exit.whenComplete((v, x) -> {
                try {
                    loop.execute(() -> unquarantine(t, lost));
                } catch (RejectedExecutionException closed) {
                    // The manager is closing: its arenas go with it.
                }
            });
        }
    }

    private void unquarantine(ArenaTarget t, Worker exited) {
        if (t.arena() != arena) {
            return; // released with its arena
        }
        quarantined--;
        t.release();
        log.info("batcher '{}': slot {} is free again: the process of worker {} has exited", batcher, t.slot(), exited.name());
    }

    /** Returns how many slots are withheld because a lost worker may still write into them. */
    int quarantined() {
        return quarantined;
    }

    /** Closes the arena (deleting its file); the next {@link #acquire} makes a new one. */
    void close() {
        if (arena != null) {
            try {
                arena.close();
            } catch (RuntimeException ex) {
                log.warn("batcher '{}': {}", batcher, ex.toString());
            }
            arena = null;
        }
        tried = false;
        quarantined = 0;
    }
}
