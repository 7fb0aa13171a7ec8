package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.storage.StorageException;
import io.jhdf.exceptions.HdfChecksumMismatchException;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.FilterManager;

/**
 * The error seam of {@link RecordingFiles}: turns whatever jhdf, the file system or the object store
 * threw into a {@link RecordingReadException} naming the file, dataset and window, and keeps the
 * interrupt rule in one place.
 */
final class ReadErrors {
    static final String REPACK =
            "repack it with a supported filter: h5repack -f GZIP=4 in.h5 out.h5 (or -f SHUF -f GZIP=4 for shuffle+gzip)";

    private ReadErrors() {
    }

    static RecordingReadException translate(RuntimeException e, String file, String dataset, Window window) {
        if (e instanceof RecordingReadException r) {
            return r;
        }
        if (e instanceof StorageException s) {
            return fromStorage(s, file, dataset, window);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HdfFilterException && !missingFilter(t)) {
                // A filter jhdf has failed to decode a chunk (ChunkCheck names the chunk where it can).
                return new RecordingReadException(Reason.CORRUPT, file, dataset, window,
                        "filter: " + describeFailure(t) + " (expected: data that decodes; the data is corrupt)", e);
            }
            if (t instanceof HdfFilterException) {
                return new RecordingReadException(Reason.UNSUPPORTED_FILTER, file, dataset, window,
                        "filter: " + t.getMessage() + " (expected: deflate/gzip, shuffle, fletcher32, lzf, lz4 or "
                                + "bitshuffle; " + REPACK + ")", e);
            }
            if (t instanceof HdfChecksumMismatchException) {
                return new RecordingReadException(Reason.UNREADABLE, file, dataset, window,
                        "checksum: " + t.getMessage() + " (expected: matching checksums; the file is corrupt)", e);
            }
        }
        return new RecordingReadException(Reason.UNREADABLE, file, dataset, window,
                "read: " + describeFailure(e) + " (expected: a readable, complete HDF5 file)", e);
    }

    /**
     * Tells a filter jhdf lacks (thrown while it builds the filter pipeline) from a filter that failed
     * to decode data: jhdf throws {@link HdfFilterException} for both.
     */
    static boolean missingFilter(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().equals(FilterManager.class.getName());
    }

    static String describeFailure(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 400; t = t.getCause()) {
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return b.toString();
    }

    /** Translates a storage failure (see {@link RecordingReadException#fromStorage}). */
    static RecordingReadException fromStorage(StorageException s, String file, String dataset, Window window) {
        return RecordingReadException.fromStorage(s, file, dataset, window);
    }
}
