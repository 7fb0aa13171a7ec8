package dev.batcher.client;

import dev.batcher.api.Batch;

/** Test access to what the client keeps package-private: whether a batch is read in shared memory. */
public final class ShmProbe {
    private ShmProbe() {}

    /** Returns true if {@code b} is a batch the client reads in place in the daemon's shared memory. */
    public static boolean inSharedMemory(Batch b) {
        return b instanceof RemoteBatch r && r.sharedMemory();
    }
}
