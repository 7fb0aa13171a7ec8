package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.dataset.SampleType;
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
 * <p>It reads through jhdf's own channel ({@code HdfFile.getHdfBackingStorage().getFileChannel()}), so
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
     * 8-16 KiB, more beyond.
     */
    static final int MAX_GAP_BYTES = 4 << 10;

    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    private final FileChannel channel;
    /** File position of element {@code [0, 0]}. */
    private final long start;
    private final long rows;
    private final long samples;
    private final int elementSize;
    private final ByteOrder order;
    private final SampleType type;

    private ContiguousStorage(FileChannel channel, long start, long rows, long samples, int elementSize,
                              ByteOrder order, SampleType type) {
        this.channel = channel;
        this.start = start;
        this.rows = rows;
        this.samples = samples;
        this.elementSize = elementSize;
        this.order = order;
        this.type = type;
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
     * @return the storage, or {@code null} to read the dataset through jhdf
     */
    static ContiguousStorage of(Dataset dataset, HdfFile file) {
        try {
            return ofOrNull(dataset, file);
        } catch (RuntimeException e) {
            // Whatever jhdf makes of an odd header: jhdf's own read path will say it properly.
            return null;
        }
    }

    private static ContiguousStorage ofOrNull(Dataset dataset, HdfFile file) {
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
        SampleType type;
        ByteOrder order;
        if (dataType instanceof FixedPoint fixed && fixed.getSize() == 2 && fixed.isSigned()
                && fixed.getBitOffset() == 0 && fixed.getBitPrecision() == 16) {
            type = SampleType.INT16;
            order = fixed.getByteOrder();
        } else if (dataType instanceof FloatingPoint floating && floating.getSize() == 4
                && floating.getBitOffset() == 0 && floating.getBitPrecision() == 32) {
            type = SampleType.FLOAT32;
            order = floating.getByteOrder();
        } else {
            return null;
        }
        if (order != ByteOrder.LITTLE_ENDIAN && order != ByteOrder.BIG_ENDIAN) {
            return null;
        }
        HdfBackingStorage storage = file.getHdfBackingStorage();
        if (storage.inMemory()) {
            return null;
        }
        FileChannel channel = storage.getFileChannel();
        long base = storage.getUserBlockSize();
        int elementSize = dataType.getSize();
        long bytes;
        long start;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(dims[0], dims[1]), (long) elementSize);
            start = Math.addExact(base, address);
            Math.addExact(start, bytes);
        } catch (ArithmeticException e) {
            return null;
        }
        if (channel == null || base < 0 || !storageHolds(dataset, bytes)) {
            return null;
        }
        return new ContiguousStorage(channel, start, dims[0], dims[1], elementSize, order, type);
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
        return start;
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
     * @throws IOException if the channel fails, including {@link java.nio.channels.ClosedByInterruptException}
     *     when this thread is interrupted and {@link java.nio.channels.AsynchronousCloseException} /
     *     {@link java.nio.channels.ClosedChannelException} when another thread's interrupt closed the
     *     channel
     */
    RawWindow read(long firstRow, int rowCount, long first, int count) throws IOException {
        if (firstRow < 0 || rowCount < 1 || firstRow + rowCount > rows || first < 0 || count < 1
                || first > samples - count) {
            throw new IllegalArgumentException("window: rows [" + firstRow + ", " + (firstRow + rowCount)
                    + "), samples [" + first + ", " + (first + count) + ") (expected: within [" + rows + ", "
                    + samples + "])");
        }
        if (type == SampleType.INT16) {
            short[][] out = new short[rowCount][count];
            readInto(out, firstRow, rowCount, first, count);
            return RawWindow.ofShorts(out);
        }
        float[][] out = new float[rowCount][count];
        readInto(out, firstRow, rowCount, first, count);
        return RawWindow.ofFloats(out);
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
        return start + (row * samples + sample) * elementSize;
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
        long from = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n <= 0) {
                throw new EOFException("Trying to read more bytes than available: the file ends at byte " + size()
                        + ", inside the data of " + (rowCount == 1 ? "row " + row : "rows [" + row + ", " + (row + rowCount) + ")")
                        + " (file bytes [" + from + ", " + (from + buffer.limit()) + "))");
            }
            position += n;
        }
    }

    private String size() {
        try {
            return Long.toString(channel.size());
        } catch (IOException | RuntimeException e) {
            return "? (" + e + ")";
        }
    }

    @Override
    public String toString() {
        return "ContiguousStorage[" + type + " " + (order == ByteOrder.BIG_ENDIAN ? "big" : "little") + "-endian, "
                + rows + " x " + samples + " at file byte " + start + "]";
    }
}
