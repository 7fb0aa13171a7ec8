package dev.batcher.materializers.format;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.storage.StorageException;

/**
 * A recording file, or a window of one of its datasets, could not be read. The message names the
 * file, the dataset and the window (where known) and then the fault, in the form
 * {@code name: value (expected: rule)}, for example
 * {@code file night1.h5, dataset /signals/eeg, channels [0, 6), samples [29990, 30010): sampleStart + sampleCount: 30010 (expected: <= 30000, the samples in the dataset)}.
 */
public final class RecordingReadException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /** Why a read failed, for callers that react differently (retry, skip, report). */
    public enum Reason {
        /** The file name is absolute, contains {@code ..}, or resolves (through symlinks) outside the roots. */
        PATH_REFUSED,
        /** No root holds the file. */
        MISSING_FILE,
        /** The file has no dataset at that path (or the path names a group). */
        MISSING_DATASET,
        /** The dataset has the wrong rank or element type. */
        WRONG_DATASET,
        /** An attribute is missing, has the wrong type, or an invalid value. */
        BAD_ATTRIBUTE,
        /** The requested window lies (partly) outside the dataset. Checked before reading. */
        OUT_OF_RANGE,
        /** The dataset uses a filter jhdf cannot decode (scaleoffset, szip, nbit, blosc, zstd...). */
        UNSUPPORTED_FILTER,
        /**
         * A chunk of the dataset fails an integrity check: a Fletcher32 checksum mismatch, a damaged or
         * truncated deflate stream, an LZF stream that overruns or underruns its chunk. The message
         * names the chunk. Reading it again gives the same answer.
         */
        CORRUPT,
        /**
         * The file is not in the format its name says (not HDF5, not EDF/BDF...), its header is
         * inconsistent, it is truncated or corrupt, or the operating system failed the read.
         */
        UNREADABLE,
        /** The reading thread was interrupted; its interrupt flag is still set. */
        INTERRUPTED
    }

    /**
     * A window of a two-dimensional dataset: rows {@code [firstRow, firstRow + rows)} and samples
     * {@code [start, start + count)}.
     *
     * @param firstRow the first row (channel)
     * @param rows the number of rows
     * @param start the first sample (column)
     * @param count the number of samples
     */
    public record Window(long firstRow, long rows, long start, long count) implements java.io.Serializable {
        /** Returns {@code channels [a, b), samples [c, d)}. */
        @Override
        public String toString() {
            return "channels [" + firstRow + ", " + (firstRow + rows) + "), samples [" + start + ", "
                    + (start + count) + ")";
        }
    }

    private final Reason reason;
    private final String file;
    private final String dataset;
    private final Window window;

    /**
     * Creates the exception; the message is built from the context and {@code detail}.
     *
     * @param reason why the read failed
     * @param file the file name as the caller gave it
     * @param dataset the dataset path, or null if the failure concerns the whole file
     * @param window the window being read, or null if none was
     * @param detail the fault, as {@code name: value (expected: rule)}
     * @param cause the underlying failure, or null
     */
    public RecordingReadException(
            Reason reason, String file, String dataset, Window window, String detail, Throwable cause) {
        super(format(file, dataset, window, detail), cause);
        this.reason = reason;
        this.file = file;
        this.dataset = dataset;
        this.window = window;
    }

    private static String format(String file, String dataset, Window window, String detail) {
        StringBuilder b = new StringBuilder("file ").append(file);
        if (dataset != null) {
            b.append(", dataset ").append(dataset);
        }
        if (window != null) {
            b.append(", ").append(window);
        }
        return b.append(": ").append(detail).toString();
    }

    /** Returns why the read failed. */
    public Reason getReason() {
        return reason;
    }

    /** Returns the file name as the caller gave it (relative to the roots). */
    public String getFile() {
        return file;
    }

    /** Returns the dataset path inside the file, or null if the failure concerns the whole file. */
    public String getDataset() {
        return dataset;
    }

    /** Returns the window being read, or null if the failure happened before or outside a read. */
    public Window getWindow() {
        return window;
    }

    /**
     * Returns true for the reasons that are facts about the request or the file's content
     * ({@link Reason#PATH_REFUSED}, {@link Reason#MISSING_DATASET}, {@link Reason#WRONG_DATASET},
     * {@link Reason#BAD_ATTRIBUTE}, {@link Reason#OUT_OF_RANGE}, {@link Reason#UNSUPPORTED_FILTER},
     * {@link Reason#CORRUPT}); false for those that may pass ({@link Reason#MISSING_FILE}, which another
     * worker's mount may hold, {@link Reason#UNREADABLE}, {@link Reason#INTERRUPTED}).
     */
    @Override
    public boolean isDeterministic() {
        return switch (reason) {
            case PATH_REFUSED, MISSING_DATASET, WRONG_DATASET, BAD_ATTRIBUTE, OUT_OF_RANGE, UNSUPPORTED_FILTER, CORRUPT -> true;
            case MISSING_FILE, UNREADABLE, INTERRUPTED -> false;
        };
    }

    /**
     * Fails with {@link Reason#INTERRUPTED} if the current thread is interrupted. The flag is left set
     * (never cleared, never swallowed): the caller's executor or task decides what an interrupt means.
     *
     * @param file the file name
     * @param dataset the dataset, or null
     * @param window the window, or null
     * @param cause what the interrupt caused, or null
     * @throws RecordingReadException with reason {@link Reason#INTERRUPTED} if the thread is interrupted
     */
    public static void checkInterrupt(String file, String dataset, Window window, Throwable cause) {
        if (Thread.currentThread().isInterrupted()) {
            throw new RecordingReadException(Reason.INTERRUPTED, file, dataset, window,
                    "thread: interrupted (expected: not interrupted; the interrupt flag is still set)", cause);
        }
    }

    /**
     * Translates a storage failure: a missing object is a missing file, a refused name a refused path,
     * anything else unreadable.
     *
     * @param s the failure
     * @param file the file name
     * @param dataset the dataset, or null
     * @param window the window, or null
     * @return the exception to throw
     */
    public static RecordingReadException fromStorage(StorageException s, String file, String dataset, Window window) {
        Reason reason = switch (s.getReason()) {
            case PATH_REFUSED -> Reason.PATH_REFUSED;
            case NOT_FOUND -> Reason.MISSING_FILE;
            default -> Reason.UNREADABLE;
        };
        return new RecordingReadException(reason, file, dataset, window, s.getMessage(), s);
    }
}
