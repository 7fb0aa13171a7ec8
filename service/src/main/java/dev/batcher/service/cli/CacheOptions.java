package dev.batcher.service.cli;

import dev.batcher.materializers.storage.Storage;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --cache-dir} and {@code --cache-bytes}: the bounded on-disk cache where a process keeps whole
 * copies of object-storage files it cannot read by byte ranges (chunked, compressed). Applied as the
 * system properties {@link Storage#CACHE_DIR_PROPERTY} and {@link Storage#CACHE_BYTES_PROPERTY} before
 * the process's storage is first used.
 */
final class CacheOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where to cache object-storage files read whole (chunked/compressed HDF5); the process owns it, and"
                    + " a later process keeps the files it finds there (default: batcher-cache-NAME for a worker,"
                    + " batcher-cache-PID otherwise, in the temporary directory).")
    Path cacheDir;

    @Option(names = "--cache-bytes", paramLabel = "BYTES",
            description = "The most bytes that cache holds, such as 512m or 20g (default: 4g). It must hold the files "
                    + "read at once; a too small cache fails or warns saying how big it must be.")
    String cacheBytes;

    /**
     * Sets the system properties.
     *
     * @throws IllegalArgumentException if {@code --cache-bytes} is not a positive byte count
     */
    void apply() {
        if (cacheDir != null) {
            System.setProperty(Storage.CACHE_DIR_PROPERTY, cacheDir.toAbsolutePath().toString());
        }
        if (cacheBytes != null) {
            System.setProperty(Storage.CACHE_BYTES_PROPERTY, Long.toString(Storage.parseBytes(cacheBytes, "--cache-bytes")));
        }
    }
}
