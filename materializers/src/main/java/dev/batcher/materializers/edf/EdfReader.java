package dev.batcher.materializers.edf;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.ByteSource;
import dev.batcher.materializers.storage.StorageException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.batcher.materializers.format.RecordingReadException.checkInterrupt;

/**
 * Reads EDF/EDF+C/BDF/BDF+C files in place. Opening a file reads its header only (256 bytes plus 256
 * per signal) and checks it against the file's size; a window read reads the whole data records that
 * cover the window, and only the window's channels and samples of them: from an object with one
 * ranged GET spanning them; from a local file with positional reads of the runs of the window's
 * samples, a run per record and channel, runs less than 4 KiB apart read together (a window of
 * whole records of adjacent channels is one read). Reads go into a reused per-thread direct buffer
 * of at least 1 MiB; one read asks for at most 8 MiB. Up to {@code maxOpenFiles} local files stay
 * open; a channel closed by another reader's interrupt is reopened and the read tried again.
 */
final class EdfReader implements RecordingReader {
    /** The most bytes one read asks for; longer windows take several. */
    private static final int MAX_READ_BYTES = 8 << 20;
    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    /** Reads tried again on a fresh channel after another thread's interrupt closed the shared one, plus one (see Hdf5Reader). */
    private static final int MAX_ATTEMPTS = 8;
    /** Runs of a window closer than this are read together: the gap rule of the HDF5 contiguous path. */
    private static final int MAX_GAP_BYTES = 4 << 10;

    private final FileAccess access;
    private final int maxOpenFiles;
    private final ConcurrentHashMap<String, Parsed> parsed = new ConcurrentHashMap<>();
    /** Open local files by id, at most {@code maxOpenFiles}; the others are opened for each read. */
    private final ConcurrentHashMap<String, FileChannel> channels = new ConcurrentHashMap<>();

    /** A file's header and groups. */
    private record Parsed(EdfHeader header, Map<String, EdfGroup> groups) {
    }

    EdfReader(FileAccess access, int maxOpenFiles) {
        this.access = access;
        this.maxOpenFiles = maxOpenFiles;
    }

    private Parsed parsed(String file) {
        Parsed p = parsed.get(file);
        if (p == null) {
            p = parse(file);
            parsed.putIfAbsent(file, p);
        }
        return p;
    }

    private Parsed parse(String file) {
        long size = access.size(file);
        byte[] fixed = new byte[EdfHeader.FIXED];
        if (size < EdfHeader.FIXED) {
            throw new RecordingReadException(Reason.UNREADABLE, file, null, null, "file size: " + size
                    + " bytes (expected: >= 256, an EDF/BDF header)", null);
        }
        read(file, null, null, ByteBuffer.wrap(fixed), 0);
        int ns = EdfHeader.signalCount(fixed, file);
        if (size < EdfHeader.FIXED * (1L + ns)) {
            throw new RecordingReadException(Reason.UNREADABLE, file, null, null, "file size: " + size
                    + " bytes (expected: >= " + EdfHeader.FIXED * (1L + ns) + ", the header of " + ns
                    + " signals; the file is truncated)", null);
        }
        byte[] perSignal = new byte[EdfHeader.FIXED * ns];
        read(file, null, null, ByteBuffer.wrap(perSignal), EdfHeader.FIXED);
        EdfHeader header = EdfHeader.parse(fixed, perSignal, file, size);
        Map<String, EdfGroup> groups = new LinkedHashMap<>();
        for (EdfGroup g : EdfGroup.of(header)) {
            groups.put(g.info().dataset(), g);
        }
        return new Parsed(header, groups);
    }

    /** Reads bytes at {@code position}: a positional read of the file, or a ranged GET of the object. */
    private void read(String file, String dataset, Window window, ByteBuffer dst, long position) {
        checkInterrupt(file, dataset, window, null);
        int start = dst.position();
        for (int attempt = 0; ; attempt++) {
            try {
                if (access.isRemote()) {
                    access.source(file).readFully(dst, position);
                    return;
                }
                String id = access.id(file);
                FileChannel channel = channels.get(id);
                boolean cached = channel != null;
                if (!cached) {
                    channel = FileChannel.open(Path.of(id), StandardOpenOption.READ);
                    cached = channels.size() < maxOpenFiles && channels.putIfAbsent(id, channel) == null;
                }
                try {
                    ByteSource.of(channel, id).readFully(dst, position);
                    return;
                } catch (ClosedChannelException e) {
                    // Another reader's interrupt closed the shared channel (or this thread's: checked below).
                    channels.remove(id, channel);
                    checkInterrupt(file, dataset, window, e);
                    if (attempt + 1 >= MAX_ATTEMPTS) {
                        throw e;
                    }
                    dst.position(start);
                } finally {
                    if (!cached) {
                        channel.close();
                    }
                }
            } catch (StorageException e) {
                throw RecordingReadException.fromStorage(e, file, dataset, window);
            } catch (EOFException e) {
                throw new RecordingReadException(Reason.UNREADABLE, file, dataset, window, "read: " + e.getMessage()
                        + " (expected: the size the EDF header promises; the file was truncated after it was indexed)", e);
            } catch (IOException e) {
                checkInterrupt(file, dataset, window, e);
                throw new RecordingReadException(Reason.UNREADABLE, file, dataset, window,
                        "read: " + e + " (expected: a readable file)", e);
            }
        }
    }

    @Override
    public String recording(String file) {
        parsed(file);
        return null;
    }

    @Override
    public Map<String, String> signalDatasets(String file) {
        Map<String, String> out = new LinkedHashMap<>();
        parsed(file).groups().keySet().forEach(g -> out.put(g, null));
        return out;
    }

    private EdfGroup group(String file, String dataset) {
        Parsed p = parsed(file);
        EdfGroup g = p.groups().get(dataset);
        if (g == null) {
            throw new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null, "dataset: not found (expected: "
                    + "one of the signal groups " + List.copyOf(p.groups().keySet()) + ", one per sample rate)", null);
        }
        return g;
    }

    @Override
    public SignalInfo signalInfo(String file, String dataset) {
        return group(file, dataset).info();
    }

    @Override
    public LabelInfo labelInfo(String file, String dataset) {
        parsed(file);
        throw new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null, "dataset: not found (expected: "
                + "a label grid built at index time from an annotation file; EDF/BDF files hold no label datasets)", null);
    }

    @Override
    public StorageLayout layout(String file, String dataset) {
        group(file, dataset);
        return null;
    }

    @Override
    public int[][] readLabels(String file, String dataset, long start, int count) {
        labelInfo(file, dataset);
        throw new AssertionError("labelInfo throws");
    }

    @Override
    public RawWindow readSignal(String file, String dataset, Window window) {
        EdfGroup g = group(file, dataset);
        EdfHeader h = parsed(file).header();
        SignalInfo info = g.info();
        long channels = info.channels().size();
        if (window.rows() < 1 || window.count() < 1 || window.firstRow() < 0 || window.start() < 0
                || window.firstRow() + window.rows() > channels || window.start() + window.count() > info.samples()) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, dataset, window, "window: " + window
                    + " (expected: >= 1 channels inside [0, " + channels + ") and >= 1 samples inside [0, "
                    + info.samples() + "))", null);
        }
        int rows = (int) window.rows();
        int count = (int) window.count();
        int spr = h.signals().get(g.signals()[0]).samplesPerRecord();
        boolean floats = info.type() == dev.batcher.materializers.metadata.SampleType.FLOAT32;
        short[][] shorts = floats ? null : new short[rows][count];
        float[][] values = floats ? new float[rows][count] : null;
        int bps = h.bytesPerSample();
        // One run per record and channel: the window's samples of that channel in that record.
        long first = window.start() / spr;
        long last = (window.start() + count - 1) / spr;
        int n = (int) ((last - first + 1) * rows);
        long[] pos = new long[n];
        int[] len = new int[n];
        int k = 0;
        for (long r = first; r <= last; r++) {
            long from = Math.max(window.start(), r * spr);
            long to = Math.min(window.start() + count, (r + 1) * spr);
            for (int c = 0; c < rows; c++) {
                EdfHeader.Signal signal = h.signals().get(g.signals()[(int) window.firstRow() + c]);
                pos[k] = h.headerBytes() + r * h.recordBytes() + (signal.recordOffset() + from - r * spr) * bps;
                len[k++] = (int) (to - from);
            }
        }
        // Runs close together are read at once: locally within MAX_GAP_BYTES, from objects all in one GET.
        long gap = access.isRemote() ? Long.MAX_VALUE : MAX_GAP_BYTES;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            long end = pos[i] + (long) len[i] * bps;
            while (j < n && pos[j] - end <= gap && pos[j] + (long) len[j] * bps - pos[i] <= MAX_READ_BYTES) {
                end = pos[j] + (long) len[j] * bps;
                j++;
            }
            ByteBuffer buffer = buffer(Math.toIntExact(end - pos[i]));
            read(file, dataset, window, buffer, pos[i]);
            buffer.flip();
            for (int q = i; q < j; q++) {
                int c = q % rows;
                long r = first + q / rows;
                int out = (int) (Math.max(window.start(), r * spr) - window.start());
                int at = (int) (pos[q] - pos[i]);
                if (!floats) {
                    buffer.asShortBuffer().position(at / 2).get(shorts[c], out, len[q]);
                } else {
                    decode(buffer, at, values[c], out, len[q], bps, g, (int) window.firstRow() + c);
                }
            }
            i = j;
        }
        return floats ? RawWindow.ofFloats(values) : RawWindow.ofShorts(shorts);
    }

    /** Converts {@code n} samples at byte {@code at}: as stored (uniform groups) or decoded per channel. */
    private static void decode(ByteBuffer buffer, int at, float[] dst, int out, int n, int bps, EdfGroup g, int channel) {
        float res = g.resolutions()[channel];
        float off = g.offsets()[channel];
        boolean decode = g.decoded();
        for (int i = 0; i < n; i++) {
            int p = at + i * bps;
            int d = bps == 2 ? buffer.getShort(p)
                    : (buffer.get(p) & 0xff) | (buffer.get(p + 1) & 0xff) << 8 | buffer.get(p + 2) << 16;
            float x = d;
            if (decode) {
                float scaled = x * res;
                x = scaled + off;
            }
            dst[out + i] = x;
        }
    }

    private static ByteBuffer buffer(int bytes) {
        ByteBuffer b = BUFFERS.get();
        if (b == null || b.capacity() < bytes) {
            // Direct, so that a positional read fills it without the JDK's copy through a temporary one.
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
            BUFFERS.set(b);
        }
        b.clear().limit(bytes);
        return b;
    }

    /** Closes the cached channels; a read still using one fails as unreadable, as any closed file would. */
    @Override
    public void close() {
        parsed.clear();
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a read-only channel: nothing was written, nothing to lose.
            }
        }
        channels.clear();
    }
}
