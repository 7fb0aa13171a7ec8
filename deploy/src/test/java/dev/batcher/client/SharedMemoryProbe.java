package dev.batcher.client;

import dev.batcher.api.Batch;

/** Test access to what the client keeps package-private: whether a batch is read in the daemon's shared memory. */
public final class SharedMemoryProbe {
    private SharedMemoryProbe() {}

    /**
     * Returns whether a batch is read in place in the daemon's shared memory.
     *
     * @param b a batch taken from a {@link BatcherHandle}
     * @return true if {@code b} is read in place in the daemon's shared memory, false if it came over TCP
     */
    public static boolean inSharedMemory(Batch b) {
        return b instanceof RemoteBatch r && r.sharedMemory();
    }
}
