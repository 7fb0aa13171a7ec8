package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RawBuffers;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.ByteSource;
import io.jhdf.AbstractNode;
import io.jhdf.Constants;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage.ContiguousDataLayoutMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The fast path for signal windows: where the samples of one contiguous, unfiltered, allocated
 * two-dimensional int16 or float32 dataset lie in its file, and how to read a window of them with
 * positional {@link FileChannel} reads instead of jhdf's {@code Dataset.getData(offset, shape)}.
 *
 * <p>Element {@code [row, sample]} of such a dataset is at file position
 * {@code base + address + (row * samples + sample) * elementSize}, where {@code address} is the
 * dataset's data address and {@code base} the file's base address (the user block size): exactly the
 * arithmetic jhdf's {@code ContiguousDatasetImpl} does. A window is read row by row (one positional read
 * per row, straight into a reused per-thread direct buffer), or with one read covering all its rows when
 * the bytes between the rows are few ({@link #MAX_GAP_BYTES}); the bytes are then copied into
 * {@code short[][]}/{@code float[][]} with bulk buffer gets in the dataset's byte order.
 *
 * <p>The bytes come from a {@link ByteSource}: for a local file, jhdf's own channel; for an object, ranged
 * GETs with the layout recorded at index time ({@link StorageLayout}).
 *
 * <p>Locally it reads through jhdf's own channel ({@code HdfFile.getHdfBackingStorage().getFileChannel()}), so
 * a file has one channel whichever path reads it, that channel closes with the {@link HdfFile}, and a
 * channel closed by an interrupt is seen by {@link Handle#channelOpen()} as for jhdf's reads. One
 * instance belongs to one {@link Handle} and is safe for any number of threads: positional reads keep
 * no state in the channel, and the buffers are per thread.
 */
final class ContiguousStorage {
    /**
     * The largest buffer one thread keeps (1 MiB): a window larger than this is read in pieces of this
     * size, so the memory held per reading thread stays bounded whatever the windows.
     */
    static final int MAX_BUFFER_BYTES = 1 << 20;
    /**
     * The most bytes between two rows of a window that a single covering read may read and throw away;
     * beyond this the rows are read one by one. Measured on the page cache (8 rows, see
     * docs/benchmarks.md): one covering read took 0.9x the time of 8 row reads for 7680-sample rows and
     * 0.3-0.4x for 500-sample rows with gaps up to 1 KiB, about the same at 4 KiB, and 1.2-1.8x at
     * 8-16 KiB, more beyond. (Over object storage a covering read also saves requests.)
     */
    static final int MAX_GAP_BYTES = 4 << 10;

    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    private final ByteSource source;
    private final StorageLayout layout;
    private final long rows;
    private final long samples;
    private final int elementSize;
    private final ByteOrder order;
    /** INT16 or FLOAT32 for signals; null for other (label) element types. */
    private final SampleType type;

    ContiguousStorage(ByteSource source, StorageLayout layout) {
        this.source = source;
        this.layout = layout;
        this.rows = layout.rows();
        this.samples = layout.columns();
        this.elementSize = layout.elementSize();
        this.order = layout.order();
        this.type = layout.sampleType();
    }

    /**
     * Returns the storage of {@code dataset} if the fast path can read it: contiguous layout, an allocated
     * (defined) data address, no filters, rank 2, int16 (signed, 16 bits at offset 0) or float32 (32 bits
     * at offset 0), a byte order of little or big endian, a file on a {@link FileChannel}, and an extent
     * that fits a {@code long}. Returns {@code null} for anything else, which jhdf then reads (and
     * reports on) as before. Does no I/O: jhdf has parsed the header already.
     *
     * @param dataset the dataset, of {@code file}
     * @param file the open file holding it
     * @param name the file's name for messages
     * @return the storage, or {@code null} to read the dataset through jhdf
     */
    static ContiguousStorage of(Dataset dataset, HdfFile file, String name) {
        StorageLayout layout = layoutOf(dataset, file);
        return layout == null || layout.sampleType() == null ? null : on(layout, file, name);
    }

    /**
     * Returns the storage of a label dataset if {@link #readInts} can read it: as {@link #of}, but of any
     * integer type of 1, 2, 4 or 8 bytes, signed or not; else {@code null}. Does no I/O.
     *
     * @param dataset the dataset, of {@code file}
     * @param file the open file holding it
     * @param name the file's name for messages
     * @return the storage, or {@code null} to read the dataset through jhdf
     */
    static ContiguousStorage ofIntegers(Dataset dataset, HdfFile file, String name) {
        StorageLayout layout = layoutOf(dataset, file);
        return layout == null || (layout.kind() != 'i' && layout.kind() != 'u') ? null : on(layout, file, name);
    }

    private static ContiguousStorage on(StorageLayout layout, HdfFile file, String name) {
        HdfBackingStorage storage = file.getHdfBackingStorage();
        FileChannel channel = storage.getFileChannel();
        if (channel == null) {
            return null;
        }
        return new ContiguousStorage(ByteSource.of(channel, name), layout);
    }

    /**
     * Returns where the elements of {@code dataset} lie if it is contiguous, allocated, unfiltered, rank
     * 2 and of a fixed-point or float type of 1, 2, 4 or 8 bytes (floats 4 or 8) at bit offset 0 with
     * full precision, in a file on a channel; else null. Does no I/O.
     */
    static StorageLayout layoutOf(Dataset dataset, HdfFile file) {
        try {
            return layoutOrNull(dataset, file);
        } catch (RuntimeException e) {
            // Whatever jhdf makes of an odd header: jhdf's own read path will say it properly.
            return null;
        }
    }

    private static StorageLayout layoutOrNull(Dataset dataset, HdfFile file) {
        if (!(dataset instanceof ContiguousDataset contiguous) || dataset.getDataLayout() != DataLayout.CONTIGUOUS
                || !dataset.getFilters().isEmpty()) {
            return null;
        }
        long address = contiguous.getDataAddress();
        if (address == Constants.UNDEFINED_ADDRESS || address < 0) {
            return null; // never written: no storage allocated; jhdf decides what reading it means
        }
        long[] dims = dataset.getDimensionsAsLong();
        if (dims.length != 2 || dims[0] < 1 || dims[1] < 1) {
            return null;
        }
        DataType dataType = dataset.getDataType();
        int size = dataType.getSize();
        char kind;
        ByteOrder order;
        if (dataType instanceof FixedPoint fixed && fixed.getBitOffset() == 0 && fixed.getBitPrecision() == size * 8
                && (size == 1 || size == 2 || size == 4 || size == 8)) {
            kind = fixed.isSigned() ? 'i' : 'u';
            order = fixed.getByteOrder();
        } else if (dataType instanceof FloatingPoint floating && floating.getBitOffset() == 0
                && floating.getBitPrecision() == size * 8 && (size == 4 || size == 8)) {
            kind = 'f';
            order = floating.getByteOrder();
        } else {
            return null;
        }
        if (size > 1 && order != ByteOrder.LITTLE_ENDIAN && order != ByteOrder.BIG_ENDIAN) {
            return null;
        }
        HdfBackingStorage storage = file.getHdfBackingStorage();
        if (storage.inMemory() || storage.getFileChannel() == null) {
            return null;
        }
        long base = storage.getUserBlockSize();
        long bytes;
        long start;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(dims[0], dims[1]), (long) size);
            start = Math.addExact(base, address);
            Math.addExact(start, bytes);
        } catch (ArithmeticException e) {
            return null;
        }
        if (base < 0 || !storageHolds(dataset, bytes)) {
            return null;
        }
        return new StorageLayout(start, StorageLayout.dtype(kind, size, order), dims[0], dims[1]);
    }

    /** Checks the layout message's storage size (when it states one) against the extent. */
    private static boolean storageHolds(Dataset dataset, long bytes) {
        if (!(dataset instanceof AbstractNode node)) {
            return false;
        }
        ContiguousDataLayoutMessage layout = node.getHeader().getMessageOfType(ContiguousDataLayoutMessage.class);
        return layout != null && (layout.getSize() < 0 || layout.getSize() >= bytes);
    }

    /** Returns the file position of element {@code [0, 0]} (data address plus user block). */
    long start() {
        return layout.offset();
    }

    /** Returns the layout read. */
    StorageLayout layout() {
        return layout;
    }

    /**
     * Reads rows {@code [firstRow, firstRow + rowCount)}, samples {@code [first, first + count)}. The
     * window must lie within the dataset (the caller checks it against the extent first).
     *
     * @param firstRow the first row
     * @param rowCount the number of rows ({@code >= 1})
     * @param first the first sample
     * @param count the number of samples ({@code >= 1})
     * @return the samples, {@code [rowCount][count]}, as stored
     * @throws EOFException if the file ends before the window's bytes do (a truncated file); the message
     *     says where
     * @throws IOException if the source fails, including {@link java.nio.channels.ClosedByInterruptException}
     *     when this thread is interrupted and {@link java.nio.channels.AsynchronousCloseException} /
     *     {@link java.nio.channels.ClosedChannelException} when another thread's interrupt closed the
     *     channel
     * @throws IllegalStateException if the dataset is not int16 or float32
     */
    RawWindow read(long firstRow, int rowCount, long first, int count) throws IOException {
        return read(firstRow, rowCount, first, count, null);
    }

    /** As {@link #read(long, int, long, int)}, into {@code into}'s arrays unless it is null. */
    RawWindow read(long firstRow, int rowCount, long first, int count, RawBuffers into) throws IOException {
        checkWindow(firstRow, rowCount, first, count);
        if (type == SampleType.INT16) {
            short[][] out = into == null ? new short[rowCount][count] : into.shorts(rowCount, count);
            readInto(out, firstRow, rowCount, first, count);
            return RawWindow.ofShorts(out);
        }
        if (type == SampleType.FLOAT32) {
            float[][] out = into == null ? new float[rowCount][count] : into.floats(rowCount, count);
            readInto(out, firstRow, rowCount, first, count);
            return RawWindow.ofFloats(out);
        }
        throw new IllegalStateException("dtype: " + layout.dtype() + " (expected: int16 or float32 for a signal)");
    }

    /**
     * Reads an integer window as ints (label datasets of any integer width).
     *
     * @throws RecordingReadException with reason {@link Reason#WRONG_DATASET} if a value does not fit an int
     * @throws EOFException as {@link #read}
     * @throws IOException as {@link #read}
     */
    int[][] readInts(long firstRow, int rowCount, long first, int count, String file, String path, Window window)
            throws IOException {
        checkWindow(firstRow, rowCount, first, count);
        int[][] out = new int[rowCount][count];
        int maxElements = (int) Math.min(count, MAX_BUFFER_BYTES / elementSize);
        ByteBuffer buffer = buffer(maxElements * elementSize);
        for (int r = 0; r < rowCount; r++) {
            long row = firstRow + r;
            for (int done = 0; done < count; ) {
                int n = Math.min(count - done, maxElements);
                buffer.clear().limit(n * elementSize);
                readFully(buffer, position(row, first + done), row, 1);
                buffer.flip();
                ByteBuffer b = buffer.order(order);
                for (int i = 0; i < n; i++) {
                    long v = switch (elementSize) {
                        case 1 -> layout.kind() == 'u' ? b.get() & 0xff : b.get();
                        case 2 -> layout.kind() == 'u' ? b.getShort() & 0xffff : b.getShort();
                        case 4 -> layout.kind() == 'u' ? b.getInt() & 0xffffffffL : b.getInt();
                        default -> b.getLong();
                    };
                    boolean fits = elementSize == 8 && layout.kind() == 'u' ? v >= 0 && v <= Integer.MAX_VALUE
                            : v == (int) v;
                    if (!fits) {
                        String shown = elementSize == 8 && layout.kind() == 'u' ? Long.toUnsignedString(v) : Long.toString(v);
                        throw new RecordingReadException(Reason.WRONG_DATASET, file, path, window,
                                "label value at [" + row + ", " + (first + done + i) + "]: " + shown
                                        + " (expected: within the int32 range)", null);
                    }
                    out[r][done + i] = (int) v;
                }
                done += n;
            }
        }
        return out;
    }

    private void checkWindow(long firstRow, int rowCount, long first, int count) {
        if (firstRow < 0 || rowCount < 1 || firstRow + rowCount > rows || first < 0 || count < 1
                || first > samples - count) {
            throw new IllegalArgumentException("window: rows [" + firstRow + ", " + (firstRow + rowCount)
                    + "), samples [" + first + ", " + (first + count) + ") (expected: within [" + rows + ", "
                    + samples + "])");
        }
    }

    private void readInto(Object out, long firstRow, int rowCount, long first, int count) throws IOException {
        long rowBytes = samples * elementSize;
        long windowRowBytes = (long) count * elementSize;
        long gap = rowBytes - windowRowBytes;
        long span = (rowCount - 1) * rowBytes + windowRowBytes;
        if (rowCount > 1 && gap <= MAX_GAP_BYTES && span <= MAX_BUFFER_BYTES) {
            // One read covering every row: the bytes between the rows are cheaper to copy than a read.
            long position = position(firstRow, first);
            ByteBuffer buffer = buffer((int) span);
            readFully(buffer, position, firstRow, rowCount);
            buffer.flip();
            for (int r = 0; r < rowCount; r++) {
                convert(buffer, (int) (r * rowBytes), out, r, 0, count);
            }
            return;
        }
        int maxElements = (int) Math.min(count, MAX_BUFFER_BYTES / elementSize);
        ByteBuffer buffer = buffer(maxElements * elementSize);
        for (int r = 0; r < rowCount; r++) {
            long row = firstRow + r;
            for (int done = 0; done < count; ) {
                int n = Math.min(count - done, maxElements);
                buffer.clear().limit(n * elementSize);
                readFully(buffer, position(row, first + done), row, 1);
                buffer.flip();
                convert(buffer, 0, out, r, done, n);
                done += n;
            }
        }
    }

    private long position(long row, long sample) {
        return layout.position(row, sample);
    }

    /** Copies {@code n} elements from {@code buffer} at byte {@code from} into {@code out[row][to...]}. */
    private void convert(ByteBuffer buffer, int from, Object out, int row, int to, int n) {
        ByteBuffer bytes = buffer.order(order);
        if (type == SampleType.INT16) {
            bytes.asShortBuffer().get(from / 2, ((short[][]) out)[row], to, n);
        } else {
            bytes.asFloatBuffer().get(from / 4, ((float[][]) out)[row], to, n);
        }
    }

    /** Returns this thread's buffer, cleared, with at least {@code bytes} of room and its limit at {@code bytes}. */
    private static ByteBuffer buffer(int bytes) {
        ByteBuffer buffer = BUFFERS.get();
        if (buffer == null || buffer.capacity() < bytes) {
            // Grow geometrically (from 64 KiB) up to the cap; callers never ask for more than the cap.
            int grown = Math.min(MAX_BUFFER_BYTES, buffer == null ? 64 << 10 : buffer.capacity() * 2);
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, grown));
            BUFFERS.set(buffer);
        }
        buffer.clear().limit(bytes);
        return buffer;
    }

    private void readFully(ByteBuffer buffer, long position, long row, int rowCount) throws IOException {
        try {
            source.readFully(buffer, position);
        } catch (EOFException e) {
            EOFException located = new EOFException(e.getMessage() + ", inside the data of "
                    + (rowCount == 1 ? "row " + row : "rows [" + row + ", " + (row + rowCount) + ")"));
            located.initCause(e);
            throw located;
        }
    }

    @Override
    public String toString() {
        return "ContiguousStorage[" + layout.dtype() + ", " + rows + " x " + samples + " at byte " + layout.offset()
                + " of " + source.describe() + "]";
    }
}
