package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;

import java.util.Arrays;

/**
 * Finds the chunk behind a failed read of a chunked dataset. jhdf decodes chunks without saying
 * which one failed, and throws the same {@code HdfFilterException} for a filter it lacks as for a
 * stream it cannot decode. So when a window read fails, the chunks the window covers are decoded
 * one by one, in order: the first that fails to decode (a Fletcher32 mismatch, a damaged or
 * truncated deflate stream, an LZF stream that overruns or underruns its chunk) or decodes to fewer
 * bytes than a chunk holds is corrupt, and the failure becomes {@link Reason#CORRUPT}, naming the
 * chunk. Only failed reads pay for this.
 */
final class ChunkCheck {
    private ChunkCheck() {
    }

    /**
     * Returns the failure to throw for a failed read of {@code window}: a {@link Reason#CORRUPT}
     * {@link RecordingReadException} naming the first corrupt chunk of the window if there is one,
     * otherwise {@code failure} unchanged (a closed channel, a missing filter, anything else).
     *
     * @param failure what the read threw
     * @param handle the file's handle; a read whose channel was closed (an interrupt) is left alone
     * @param ds the dataset read
     * @param file the file name, for the message
     * @param path the dataset path, for the message
     * @param window the window read
     */
    static RuntimeException corruptOr(RuntimeException failure, Handle handle, Dataset ds, String file, String path,
                                      Window window) {
        if (!(ds instanceof ChunkedDataset chunked) || !handle.channelOpen()
                || Thread.currentThread().isInterrupted()) {
            return failure;
        }
        try {
            // A filter jhdf lacks fails here, before any chunk is decoded: that is not corruption.
            ds.getFilters();
        } catch (RuntimeException e) {
            return failure;
        }
        int[] chunk = chunked.getChunkDimensions();
        long[] dims = ds.getDimensionsAsLong();
        if (chunk.length != 2 || dims.length != 2) {
            return failure;
        }
        long expectedBytes = (long) chunk[0] * chunk[1] * ds.getDataType().getSize();
        long rowLast = window.firstRow() + window.rows() - 1;
        long sampleLast = window.start() + window.count() - 1;
        for (long r = window.firstRow() / chunk[0]; r <= rowLast / chunk[0]; r++) {
            for (long s = window.start() / chunk[1]; s <= sampleLast / chunk[1]; s++) {
                long rowOffset = r * chunk[0];
                long sampleOffset = s * chunk[1];
                if (sampleOffset > Integer.MAX_VALUE) {
                    return failure; // jhdf looks chunks up by int offsets only
                }
                String detail = decodeFailure(chunked, new int[] {(int) rowOffset, (int) sampleOffset}, expectedBytes);
                if (detail != null) {
                    long samplesPerChunk = chunk[1];
                    String where = "chunk [" + rowOffset + ", " + sampleOffset + "] (channels [" + rowOffset + ", "
                            + Math.min(rowOffset + chunk[0], dims[0]) + "), samples [" + sampleOffset + ", "
                            + Math.min(sampleOffset + samplesPerChunk, dims[1]) + ")): ";
                    return new RecordingReadException(Reason.CORRUPT, file, path, window, where + detail, failure);
                }
            }
        }
        return failure;
    }

    /** Decodes one chunk; returns why it is corrupt, or null if it decodes to a whole chunk. */
    private static String decodeFailure(ChunkedDataset ds, int[] offset, long expectedBytes) {
        byte[] decoded;
        try {
            decoded = ds.getDecompressedChunk(offset);
        } catch (Fletcher32Filter.ChecksumException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "filters " + filterNames(ds) + ": " + describe(e)
                    + " (expected: a stream that decodes to the whole chunk; the data is corrupt)";
        }
        if (decoded.length < expectedBytes) {
            return "decoded " + decoded.length + " bytes (expected: " + expectedBytes + ", a whole chunk of "
                    + Arrays.toString(ds.getChunkDimensions()) + "; the data is corrupt)";
        }
        return null;
    }

    private static String filterNames(ChunkedDataset ds) {
        StringBuilder b = new StringBuilder();
        ds.getFilters().forEach(f -> b.append(b.length() == 0 ? "" : ", ").append(f.getName()));
        return "[" + b + "]";
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 400; t = t.getCause()) {
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return b.toString();
    }
}
