package dev.batcher.service;

import dev.batcher.api.BatchSpec;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.arena.Arena;
import dev.batcher.service.manager.ArenaFactory;
import dev.batcher.service.pool.MaterializerCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's {@link ArenaFactory}: each batcher's arena is a file in the daemon's shared-memory
 * directory, its slots sized by the layout of the batcher's first batch.
 */
final class SharedMemoryArenas implements ArenaFactory {
    private final Path directory;
    private final MaterializerCache materializers;
    /** Arena ids: from the start time, so a daemon that reuses a dead one's pid never reuses its file names. */
    private final AtomicLong arenaIds = new AtomicLong(System.currentTimeMillis());

    /**
     * @param directory the shared-memory directory, or null when shared memory is off (then no arena is made)
     * @param materializers the daemon's materializers, for the layout of a batch
     */
    SharedMemoryArenas(Path directory, MaterializerCache materializers) {
        this.directory = directory;
        this.materializers = materializers;
    }

    /**
     * Checks the shared-memory directory before anything starts: an arena that cannot be made would
     * otherwise send every batch over TCP without a word.
     *
     * @param shm the directory, or null for none
     * @throws ServiceException if it is not an existing directory this user can write
     */
    static void checkDirectory(Path shm) {
        if (shm != null && !(Files.isDirectory(shm) && Files.isWritable(shm))) {
            throw new ServiceException("sharedMemory: " + shm
                    + " (expected: an existing directory this user can write; create it, or pass --no-shm)");
        }
    }

    @Override
    public Arena create(BatcherSpec spec, BatchSpec first, int slots) {
        if (directory == null) {
            return null;
        }
        long bytes = materializers.get(spec.dataset(), spec.options()).layout(first).bytes();
        return Arena.create(directory, arenaIds.incrementAndGet(), slots, bytes);
    }
}
