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
 * cover the window with one positional read (local) or one ranged GET (object storage) into a reused
 * per-thread buffer, and takes the window's channels and samples out of them.
 */
final class EdfReader implements RecordingReader {
    /** The most bytes one read asks for; longer windows take several. */
    private static final int MAX_READ_BYTES = 8 << 20;
    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    private final FileAccess access;
    private final ConcurrentHashMap<String, Parsed> parsed = new ConcurrentHashMap<>();

    /** A file's header and groups. */
    private record Parsed(EdfHeader header, Map<String, EdfGroup> groups) {
    }

    EdfReader(FileAccess access) {
        this.access = access;
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
        try {
            if (access.isRemote()) {
                ByteSource source = access.source(file);
                source.readFully(dst, position);
                return;
            }
            try (FileChannel channel = FileChannel.open(Path.of(access.id(file)), StandardOpenOption.READ)) {
                ByteSource.of(channel, access.id(file)).readFully(dst, position);
            }
        } catch (StorageException e) {
            throw RecordingReadException.fromStorage(e, file, dataset, window);
        } catch (EOFException e) {
            throw new RecordingReadException(Reason.UNREADABLE, file, dataset, window, "read: " + e.getMessage()
                    + " (expected: the size the EDF header promises; the file was truncated after it was indexed)", e);
        } catch (ClosedChannelException e) {
            checkInterrupt(file, dataset, window, e);
            throw new RecordingReadException(Reason.UNREADABLE, file, dataset, window, "read: " + e, e);
        } catch (IOException e) {
            throw new RecordingReadException(Reason.UNREADABLE, file, dataset, window,
                    "read: " + e + " (expected: a readable file)", e);
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
        long recordBytes = h.recordBytes();
        long perRead = Math.max(1, MAX_READ_BYTES / recordBytes);
        long first = window.start() / spr;
        long last = (window.start() + count - 1) / spr;
        int bps = h.bytesPerSample();
        for (long r0 = first; r0 <= last; r0 += perRead) {
            long r1 = Math.min(last, r0 + perRead - 1);
            ByteBuffer buffer = buffer(Math.toIntExact((r1 - r0 + 1) * recordBytes));
            read(file, dataset, window, buffer, h.headerBytes() + r0 * recordBytes);
            buffer.flip();
            java.nio.ShortBuffer asShorts = floats ? null : buffer.asShortBuffer();
            for (long r = r0; r <= r1; r++) {
                long from = Math.max(window.start(), r * spr);
                long to = Math.min(window.start() + count, (r + 1) * spr);
                int base = (int) ((r - r0) * recordBytes);
                for (int c = 0; c < rows; c++) {
                    int signal = g.signals()[(int) window.firstRow() + c];
                    int at = base + (int) (h.signals().get(signal).recordOffset() + (from - r * spr)) * bps;
                    int out = (int) (from - window.start());
                    int n = (int) (to - from);
                    if (!floats) {
                        asShorts.position(at / 2).get(shorts[c], out, n);
                    } else {
                        decode(buffer, at, values[c], out, n, bps, g, (int) window.firstRow() + c);
                    }
                }
            }
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
            b = ByteBuffer.allocate(Math.max(bytes, 64 << 10)).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes <= MAX_READ_BYTES) {
                BUFFERS.set(b);
            }
        }
        b.clear().limit(bytes);
        return b;
    }

    @Override
    public void close() {
        parsed.clear();
    }
}
