package dev.batcher.materializers.storage;

import java.nio.file.Path;

/** One file a {@link FileCache} holds: the object and ETag it is a copy of, and who reads it now. */
final class CacheEntry {
    final String id;
    final String object;
    final Path path;
    final long size;
    int leases;
    boolean dropped;

    CacheEntry(String id, String object, Path path, long size) {
        this.id = id;
        this.object = object;
        this.path = path;
        this.size = size;
    }
}
