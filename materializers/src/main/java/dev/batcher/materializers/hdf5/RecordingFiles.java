package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.dataset.LabelInfo;
import dev.batcher.materializers.dataset.SampleType;
import dev.batcher.materializers.dataset.SignalInfo;
import dev.batcher.materializers.hdf5.RecordingReadException.Reason;
import dev.batcher.materializers.hdf5.RecordingReadException.Window;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfChecksumMismatchException;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.exceptions.HdfInvalidPathException;
import io.jhdf.filter.FilterManager;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Reads recording files (HDF5, through jhdf) for many threads at once.
 *
 * <p><b>Files.</b> A file name is a path relative to the roots, with forward slashes, for example
 * {@code site2/night2.h5}. It resolves against the first root that holds it. Absolute names, names
 * with a {@code ..} segment, and names that resolve (through symbolic links) outside their root are
 * refused: a worker serving batches never reads outside its dataset directories, whatever a request
 * says.
 *
 * <p><b>Handles.</b> Open files sit in a bounded LRU cache of {@code maxOpenFiles} handles. A read
 * leases its handle for its duration; a handle evicted (or left over at {@link #close()}) while leased
 * closes when its last lease ends, never under a reader. So the number of open files is at most
 * {@code maxOpenFiles} plus the evicted ones still being read. A thread interrupted in the middle of a
 * read closes the file's channel (that is how {@link FileChannel} works); the broken handle is then
 * dropped and the other threads that were reading it retry on a fresh handle (up to twice).
 *
 * <p><b>Caching.</b> Resolved paths and parsed {@link SignalInfo}/{@link LabelInfo} are cached for the
 * life of this object: files must not change while it is open.
 *
 * <p><b>Contiguous fast path.</b> {@link #readSignal} reads windows of datasets stored contiguously
 * (HDF5's CONTIGUOUS layout, which has no filters) whose storage is allocated, int16 or float32 of
 * either byte order, without jhdf's slicing: it reads each row of the window (or, when the rows are
 * close together, one span covering them) with positional {@link FileChannel} reads into a reused
 * per-thread direct buffer of at most 1 MiB, and copies the bytes into the result in the dataset's byte
 * order. It reads through the same channel jhdf opened for the file (no second file descriptor), so
 * leases, eviction, closing and the recovery from interrupts above apply to it unchanged. Chunked and
 * filtered datasets, unallocated contiguous ones (never written) and anything else unusual are read
 * by jhdf. The system property {@value #FAST_PATH_PROPERTY}{@code =false}, read when an instance is
 * created, turns the fast path off (every read through jhdf).
 *
 * <p>Every method is thread-safe. Reads of the same dataset from several threads run in parallel:
 * jhdf reads with positional I/O and keeps no per-read state in a dataset, and neither does the fast
 * path. jhdf itself promises only concurrent reads of different datasets or files; sharing one dataset
 * is checked by this module's concurrency tests (including readers interrupted mid-read), not
 * guaranteed upstream.
 */
public final class RecordingFiles implements AutoCloseable {
    /**
     * The system property that turns the contiguous fast path of {@link #readSignal} off when
     * {@code false} (it is on unless the property says {@code false}); read by the constructor.
     */
    public static final String FAST_PATH_PROPERTY = "batcher.hdf5.contiguousFastPath";
    /** The HDF5 signature, which starts a file or a user block boundary (offset 0, 512, 1024, 2048...). */
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** Reads retried on a fresh handle after another thread's interrupt closed the channel, plus one. */
    private static final int MAX_ATTEMPTS = 3;
    private static final String REPACK =
            "repack it with a supported filter: h5repack -f GZIP=4 in.h5 out.h5 (or -f SHUF -f GZIP=4 for shuffle+gzip)";

    private final List<Path> roots;
    private final HandleCache cache;
    private final ConcurrentHashMap<String, Path> resolved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfoKey, SignalInfo> signalInfos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfoKey, LabelInfo> labelInfos = new ConcurrentHashMap<>();
    private final boolean fastPath;
    private final LongAdder contiguousReads = new LongAdder();
    private final LongAdder jhdfReads = new LongAdder();

    static {
        // jhdf's own filter for id 3 does not verify checksums; ours does (see Fletcher32Filter).
        Fletcher32Filter.install();
    }

    /** Which code reads a signal dataset's windows (for tests). */
    enum ReadPath {
        /** Positional reads of the contiguous storage ({@link ContiguousStorage}). */
        CONTIGUOUS,
        /** jhdf's {@code Dataset.getData(offset, shape)}. */
        JHDF
    }

    private record InfoKey(Path file, String dataset) {
    }

    /**
     * Creates a reader over {@code roots}.
     *
     * @param roots the directories file names resolve against, in order; at least one
     * @param maxOpenFiles how many files to keep open in the cache ({@code >= 1})
     * @throws IllegalArgumentException if {@code roots} is empty, a root is not an existing directory,
     *     or {@code maxOpenFiles < 1}
     */
    public RecordingFiles(List<Path> roots, int maxOpenFiles) {
        this(roots, maxOpenFiles, !"false".equalsIgnoreCase(System.getProperty(FAST_PATH_PROPERTY, "true").trim()));
    }

    /**
     * Creates a reader with the contiguous fast path on or off, whatever {@value #FAST_PATH_PROPERTY}
     * says (for tests).
     */
    RecordingFiles(List<Path> roots, int maxOpenFiles, boolean fastPath) {
        Objects.requireNonNull(roots, "roots");
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("roots: [] (expected: at least one directory)");
        }
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles: " + maxOpenFiles + " (expected: >= 1)");
        }
        List<Path> real = new ArrayList<>();
        for (Path root : roots) {
            try {
                Path r = root.toRealPath();
                if (!Files.isDirectory(r)) {
                    throw new IllegalArgumentException("root: " + root + " (expected: a directory)");
                }
                real.add(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("root: " + root + " (expected: an existing directory)", e);
            }
        }
        this.roots = List.copyOf(real);
        this.fastPath = fastPath;
        this.cache = new HandleCache(maxOpenFiles, RecordingFiles::open);
    }

    /** Returns the roots, as real (symlink-free, absolute) paths, in resolution order. */
    public List<Path> roots() {
        return roots;
    }

    /**
     * Resolves a file name against the roots: the first root that holds it wins.
     *
     * @param file a path relative to the roots, with forward slashes
     * @return the file's real path
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is empty,
     *     absolute, contains a {@code ..} segment, or resolves outside its root through a symbolic link;
     *     with reason {@link Reason#MISSING_FILE} if no root holds a regular file of that name
     */
    public Path resolve(String file) {
        Path known = resolved.get(file);
        if (known != null) {
            return known;
        }
        Path path = resolveUncached(file);
        resolved.put(file, path);
        return path;
    }

    private Path resolveUncached(String file) {
        if (file == null || file.isBlank()) {
            throw refused(String.valueOf(file), "path: '" + file + "' (expected: a path relative to the dataset roots)");
        }
        Path relative;
        try {
            relative = Path.of(file);
        } catch (InvalidPathException e) {
            throw refused(file, "path: '" + file + "' (expected: a valid path relative to the dataset roots)");
        }
        if (relative.isAbsolute() || file.startsWith("/") || file.startsWith("\\")) {
            throw refused(file, "path: '" + file + "' is absolute (expected: a path relative to the dataset roots "
                    + roots + ")");
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw refused(file, "path: '" + file + "' contains '..' (expected: a path inside the dataset roots "
                        + roots + ")");
            }
        }
        for (Path root : roots) {
            Path candidate = root.resolve(relative).normalize();
            if (!Files.exists(candidate)) {
                continue;
            }
            Path real;
            try {
                real = candidate.toRealPath();
            } catch (IOException e) {
                throw new RecordingReadException(Reason.UNREADABLE, file, null, null,
                        "path: " + candidate + " (expected: resolvable): " + e, e);
            }
            if (!real.startsWith(root)) {
                throw refused(file, "path: '" + file + "' resolves to " + real
                        + " through a symbolic link (expected: a file inside its root " + root + ")");
            }
            if (!Files.isRegularFile(real)) {
                throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                        "path: " + real + " is not a regular file (expected: an HDF5 file)", null);
            }
            return real;
        }
        throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                "path: not found (expected: an existing file under one of the roots " + roots + ")", null);
    }

    private static RecordingReadException refused(String file, String detail) {
        return new RecordingReadException(Reason.PATH_REFUSED, file, null, null, detail, null);
    }

    /**
     * Returns the recording id of a file: its root attribute {@code recording}, or, if it has none,
     * the file name without its {@code .h5}/{@code .hdf5} extension.
     *
     * @param file a path relative to the roots
     * @return the recording id
     * @throws RecordingReadException if the file cannot be resolved or opened, or if its
     *     {@code recording} attribute is not a non-blank string (reason {@link Reason#BAD_ATTRIBUTE})
     * @throws IllegalStateException if this object is closed
     */
    public String recording(String file) {
        return withHandle(file, null, null, handle -> {
            Attributes attributes = new Attributes(handle.file, file, null);
            if (!attributes.has("recording")) {
                return defaultRecording(file);
            }
            String recording = attributes.string("recording", "the recording id");
            if (recording.isBlank()) {
                throw attributes.bad("recording", "'" + recording + "'", "a non-blank string, the recording id");
            }
            return recording;
        });
    }

    /**
     * Returns the default recording id of a file name: the name (normalised, forward slashes) without
     * its {@code .h5} or {@code .hdf5} extension.
     *
     * @param file a path relative to a dataset directory
     * @return the default recording id, for example {@code site2/night2} for {@code site2/night2.hdf5}
     */
    public static String defaultRecording(String file) {
        String normalized = file.replace('\\', '/');
        List<String> parts = new ArrayList<>();
        for (String part : normalized.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        String name = String.join("/", parts);
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".hdf5")) {
            return name.substring(0, name.length() - 5);
        }
        if (lower.endsWith(".h5")) {
            return name.substring(0, name.length() - 3);
        }
        return name;
    }

    /**
     * Lists the signal datasets of a file: every dataset with a {@code labels} attribute, in path order,
     * mapped to the path of its label dataset. A label path without a leading slash is taken from the
     * file's root. Symbolic and external links are not followed, so no dataset is listed twice.
     *
     * @param file a path relative to the roots
     * @return signal dataset path to label dataset path, both absolute within the file, sorted by signal path
     * @throws RecordingReadException if the file cannot be resolved or opened, or a {@code labels}
     *     attribute is not a string (reason {@link Reason#BAD_ATTRIBUTE})
     * @throws IllegalStateException if this object is closed
     */
    public Map<String, String> signalDatasets(String file) {
        return withHandle(file, null, null, handle -> {
            Map<String, String> signals = new TreeMap<>();
            collectSignals(handle.file, file, signals);
            return Collections.unmodifiableMap(new LinkedHashMap<>(signals));
        });
    }

    private static void collectSignals(Group group, String file, Map<String, String> signals) {
        Map<String, Node> children = new TreeMap<>(group.getChildren());
        for (Node child : children.values()) {
            if (child.isLink()) {
                continue;
            }
            if (child instanceof Group g) {
                collectSignals(g, file, signals);
            } else if (child instanceof Dataset dataset) {
                String path = normalizeDataset(dataset.getPath());
                Attributes attributes = new Attributes(dataset, file, path);
                if (attributes.has("labels")) {
                    signals.put(path, normalizeDataset(
                            attributes.string("labels", "the path of the label dataset in the same file")));
                }
            }
        }
    }

    /**
     * Returns what the attributes of a signal dataset say, checked: the dataset is two-dimensional
     * int16 or float32; {@code channels} names every row once; {@code sample_rate} is {@code > 0};
     * {@code resolution} is finite and non-zero, {@code offset} finite; {@code unit} a string;
     * {@code start_ns} an integer {@code >= 0}; and its filters are ones jhdf can decode. The result is cached.
     *
     * @param file a path relative to the roots
     * @param dataset the dataset's path inside the file (a leading slash is optional)
     * @return the signal's description, with the dataset path normalised to start with a slash
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} or {@link Reason#MISSING_FILE}
     *     if the file cannot be resolved; {@link Reason#UNREADABLE} if it is not readable HDF5;
     *     {@link Reason#MISSING_DATASET}; {@link Reason#WRONG_DATASET} for a wrong rank or element type;
     *     {@link Reason#UNSUPPORTED_FILTER}; {@link Reason#BAD_ATTRIBUTE} for a missing, ill-typed or
     *     invalid attribute; {@link Reason#INTERRUPTED} if the thread is interrupted
     * @throws IllegalStateException if this object is closed
     */
    public SignalInfo signalInfo(String file, String dataset) {
        String path = normalizeDataset(dataset);
        InfoKey key = new InfoKey(resolve(file), path);
        SignalInfo info = signalInfos.get(key);
        if (info == null) {
            info = withDataset(file, path, null, ds -> parseSignal(file, path, ds));
            signalInfos.putIfAbsent(key, info);
        }
        return info;
    }

    /**
     * Returns what the attributes of a label dataset say, checked: the dataset is two-dimensional of an
     * integer type; {@code channels} names every row once; {@code sample_rate} is {@code > 0};
     * {@code start_ns} an integer {@code >= 0}; {@code encoding} holds at least one name, all distinct;
     * its filters are ones jhdf can decode. The result is cached.
     *
     * @param file a path relative to the roots
     * @param dataset the dataset's path inside the file (a leading slash is optional)
     * @return the labels' description, with the dataset path normalised to start with a slash
     * @throws RecordingReadException for the same reasons as {@link #signalInfo}
     * @throws IllegalStateException if this object is closed
     */
    public LabelInfo labelInfo(String file, String dataset) {
        String path = normalizeDataset(dataset);
        InfoKey key = new InfoKey(resolve(file), path);
        LabelInfo info = labelInfos.get(key);
        if (info == null) {
            info = withDataset(file, path, null, ds -> parseLabels(file, path, ds));
            labelInfos.putIfAbsent(key, info);
        }
        return info;
    }

    /**
     * Reads a window of a signal dataset, and only that window: rows
     * {@code [firstChannel, firstChannel + channelCount)} and samples
     * {@code [sampleStart, sampleStart + sampleCount)}. The window is checked against the dataset's
     * extent before anything is read. Works for datasets of any length (billions of samples).
     * Contiguous datasets are read with positional reads of their storage, others through jhdf (see
     * the class description); both return the same samples.
     *
     * @param file a path relative to the roots
     * @param dataset the signal dataset's path inside the file
     * @param firstChannel the first row
     * @param channelCount the number of rows ({@code >= 1})
     * @param sampleStart the first sample
     * @param sampleCount the number of samples ({@code >= 1})
     * @return the raw samples, {@code [channelCount][sampleCount]}, int16 or float32 as stored
     * @throws RecordingReadException with reason {@link Reason#OUT_OF_RANGE} if the window is empty or
     *     leaves the dataset; {@link Reason#UNSUPPORTED_FILTER} (the message says how to repack the file);
     *     {@link Reason#CORRUPT} if a chunk of the window fails an integrity check (a Fletcher32 checksum
     *     mismatch, a damaged or truncated deflate stream, an LZF stream that overruns or underruns its
     *     chunk; the message names the chunk); {@link Reason#UNREADABLE} if the file is truncated or its
     *     metadata is corrupt (including metadata checksum mismatches);
     *     {@link Reason#INTERRUPTED} if the thread is interrupted (its interrupt flag stays set); and
     *     {@link Reason#PATH_REFUSED}, {@link Reason#MISSING_FILE}, {@link Reason#MISSING_DATASET},
     *     {@link Reason#WRONG_DATASET} as for {@link #signalInfo}
     * @throws IllegalStateException if this object is closed
     */
    public RawWindow readSignal(String file, String dataset, int firstChannel, int channelCount,
                                long sampleStart, int sampleCount) {
        String path = normalizeDataset(dataset);
        Window window = new Window(firstChannel, channelCount, sampleStart, sampleCount);
        return withHandle(file, path, window, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            long[] dims = ds.getDimensionsAsLong();
            SampleType type = signalType(file, path, ds);
            checkWindow(file, path, window, dims);
            ContiguousStorage storage = fastPath ? handle.contiguous(path, ds) : null;
            if (storage != null) {
                contiguousReads.increment();
                return readContiguous(storage, file, path, window);
            }
            jhdfReads.increment();
            Object data;
            try {
                data = ds.getData(new long[] {firstChannel, sampleStart}, new int[] {channelCount, sampleCount});
            } catch (RuntimeException e) {
                throw ChunkCheck.corruptOr(e, handle, ds, file, path, window);
            }
            if (type == SampleType.INT16) {
                return RawWindow.ofShorts((short[][]) data);
            }
            return RawWindow.ofFloats((float[][]) data);
        });
    }

    /**
     * Reads a checked window with the fast path. The end of the file inside the window (a truncated
     * file) fails here with {@link Reason#UNREADABLE}; any other I/O failure, including a channel closed
     * by an interrupt, is thrown on unchecked for {@link #withHandle} to recover from or translate, as a
     * failure inside jhdf would be.
     */
    private static RawWindow readContiguous(ContiguousStorage storage, String file, String path, Window window) {
        try {
            return storage.read(window.firstRow(), (int) window.rows(), window.start(), (int) window.count());
        } catch (EOFException e) {
            throw new RecordingReadException(Reason.UNREADABLE, file, path, window,
                    "read: " + e.getMessage() + " (expected: a readable, complete HDF5 file)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("positional read of " + storage + ": " + e, e);
        }
    }

    /**
     * Reads every label channel of a window of a label dataset, as ints whatever the integer width on
     * disk: samples {@code [start, start + count)}.
     *
     * @param file a path relative to the roots
     * @param dataset the label dataset's path inside the file
     * @param start the first label sample
     * @param count the number of label samples ({@code >= 1})
     * @return the labels, {@code [labelChannels][count]}
     * @throws RecordingReadException with reason {@link Reason#OUT_OF_RANGE} if the window is empty or
     *     leaves the dataset; {@link Reason#WRONG_DATASET} if the dataset is not a two-dimensional integer
     *     array, holds a value outside the int range, or a value of the window is neither an index into
     *     the dataset's {@code encoding} nor {@code -1} (the message names the label channel, the epoch
     *     and the value); {@link Reason#BAD_ATTRIBUTE} as for {@link #labelInfo}; and the other reasons
     *     of {@link #readSignal}
     * @throws IllegalStateException if this object is closed
     */
    public int[][] readLabels(String file, String dataset, long start, int count) {
        String path = normalizeDataset(dataset);
        LabelInfo info = labelInfo(file, path);
        int[][] labels = withHandle(file, path, null, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            long[] dims = ds.getDimensionsAsLong();
            checkLabelType(file, path, ds);
            Window window = new Window(0, dims[0], start, count);
            checkWindow(file, path, window, dims);
            Object data;
            try {
                data = ds.getData(new long[] {0, start}, new int[] {Math.toIntExact(dims[0]), count});
            } catch (RuntimeException e) {
                throw ChunkCheck.corruptOr(e, handle, ds, file, path, window);
            }
            return toInts(file, path, window, data);
        });
        checkEncoding(file, path, info, start, labels);
        return labels;
    }

    /**
     * Checks that every label value names an entry of the encoding, or is {@code -1} (no label: the
     * value sequential windows also give the epochs they repeat).
     */
    private static void checkEncoding(String file, String path, LabelInfo info, long start, int[][] labels) {
        int names = info.encoding().size();
        for (int c = 0; c < labels.length; c++) {
            int[] row = labels[c];
            for (int i = 0; i < row.length; i++) {
                int v = row[i];
                if (v < -1 || v >= names) {
                    throw new RecordingReadException(Reason.WRONG_DATASET, file, path,
                            new Window(c, 1, start + i, 1), "label channel " + info.channels().get(c) + ", epoch "
                            + (start + i) + ": value " + v + " (expected: 0.." + (names - 1) + ", an index into encoding "
                            + info.encoding() + ", or -1 for no label)", null);
                }
            }
        }
    }

    /**
     * Closes the cached files. Files being read close when their reads end. Further calls throw
     * {@link IllegalStateException}. Closing twice does nothing.
     */
    @Override
    public void close() {
        cache.close();
    }

    /** Returns the number of open files, cached or still leased (for tests). */
    int openFiles() {
        return cache.openFiles();
    }

    /** Returns the number of cached handles (for tests). */
    int cachedFiles() {
        return cache.cachedFiles();
    }

    /** Returns how {@link #readSignal} reads windows of {@code dataset} in {@code file} (for tests). */
    ReadPath readPath(String file, String dataset) {
        String path = normalizeDataset(dataset);
        return withHandle(file, path, null, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            signalType(file, path, ds);
            return fastPath && handle.contiguous(path, ds) != null ? ReadPath.CONTIGUOUS : ReadPath.JHDF;
        });
    }

    /**
     * Returns the number of signal window reads the contiguous fast path started so far, a read tried
     * again after a closed channel counting again (for tests).
     */
    long contiguousReads() {
        return contiguousReads.sum();
    }

    /** Returns the number of signal window reads jhdf started so far, counted as {@link #contiguousReads} (for tests). */
    long jhdfReads() {
        return jhdfReads.sum();
    }

    /**
     * Closes the channel of the cached handle of {@code file}, as an interrupt in another thread would
     * (for tests).
     */
    void breakChannelForTest(String file) throws IOException {
        Handle handle = cache.acquire(resolve(file));
        try {
            handle.file.getHdfBackingStorage().getFileChannel().close();
        } finally {
            cache.release(handle);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Leasing, retrying and error translation
    // ------------------------------------------------------------------------------------------

    private <T> T withDataset(String file, String path, Window window, Function<Dataset, T> read) {
        return withHandle(file, path, window, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            return read.apply(ds);
        });
    }

    private <T> T withHandle(String file, String dataset, Window window, Function<Handle, T> operation) {
        checkInterrupt(file, dataset, window, null);
        Path path = resolve(file);
        for (int attempt = 0; ; attempt++) {
            Handle handle;
            try {
                handle = cache.acquire(path);
            } catch (RecordingReadException | IllegalStateException e) {
                throw e;
            } catch (RuntimeException e) {
                checkInterrupt(file, dataset, window, e);
                throw translate(e, file, null, null);
            }
            try {
                return operation.apply(handle);
            } catch (RuntimeException e) {
                if (handle.channelOpen()) {
                    throw translate(e, file, dataset, window);
                }
                // The channel was closed under us, by an interrupt of this thread or of another reader,
                // whatever jhdf made of that (a failed read, an unreadable attribute, a missing chunk).
                cache.discard(handle);
                checkInterrupt(file, dataset, window, e);
                if (attempt + 1 >= MAX_ATTEMPTS) {
                    throw translate(e, file, dataset, window);
                }
            } finally {
                cache.release(handle);
            }
        }
    }

    /**
     * Fails with {@link Reason#INTERRUPTED} if the current thread is interrupted. The flag is left set
     * (never cleared, never swallowed): the caller's executor or task decides what an interrupt means.
     */
    private static void checkInterrupt(String file, String dataset, Window window, Throwable cause) {
        if (Thread.currentThread().isInterrupted()) {
            throw new RecordingReadException(Reason.INTERRUPTED, file, dataset, window,
                    "thread: interrupted (expected: not interrupted; the interrupt flag is still set)", cause);
        }
    }

    private static RecordingReadException translate(RuntimeException e, String file, String dataset, Window window) {
        if (e instanceof RecordingReadException r) {
            return r;
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
    private static boolean missingFilter(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().equals(FilterManager.class.getName());
    }

    private static String describeFailure(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 400; t = t.getCause()) {
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return b.toString();
    }

    private static HdfFile open(Path path) {
        checkSignature(path);
        return new HdfFile(path);
    }

    /**
     * Looks for the HDF5 signature where the format allows it (offset 0, 512, 1024, ...) before jhdf
     * opens the file: jhdf leaves its channel open when a file is not HDF5 at all.
     */
    private static void checkSignature(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate(SIGNATURE.length);
            for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) < 0) {
                        break;
                    }
                }
                if (!buffer.hasRemaining() && Arrays.equals(buffer.array(), SIGNATURE)) {
                    return;
                }
            }
            throw new NotHdf5Exception(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Thrown by {@link #checkSignature}; translated into a {@link RecordingReadException}. */
    private static final class NotHdf5Exception extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotHdf5Exception(long size) {
            super("no HDF5 signature in " + size + " bytes; not an HDF5 file", null, false, false);
        }
    }

    private static Dataset lookup(Handle handle, String file, String path) {
        Node node;
        try {
            node = handle.file.getByPath(path);
        } catch (HdfInvalidPathException e) {
            throw new RecordingReadException(Reason.MISSING_DATASET, file, path, null,
                    "dataset: not found (expected: a dataset at " + path + ")", null);
        }
        if (!(node instanceof Dataset dataset)) {
            throw new RecordingReadException(Reason.MISSING_DATASET, file, path, null,
                    "dataset: " + path + " is a " + (node == null ? "missing node" : node.getType().toString().toLowerCase(Locale.ROOT))
                            + " (expected: a dataset)", null);
        }
        return dataset;
    }

    /**
     * Normalises a dataset path: a leading slash, no empty or {@code .} segments, no trailing slash.
     *
     * @throws RecordingReadException never; a blank path becomes "/" and fails the dataset lookup
     */
    static String normalizeDataset(String dataset) {
        if (dataset == null) {
            return "/";
        }
        StringBuilder b = new StringBuilder();
        for (String part : dataset.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                b.append('/').append(part);
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Checks and parsing
    // ------------------------------------------------------------------------------------------

    private static void checkRank(String file, String path, Dataset ds, String shape) {
        long[] dims = ds.getDimensionsAsLong();
        if (dims.length != 2) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "rank: " + dims.length + " " + Arrays.toString(dims) + " (expected: 2, " + shape + ")", null);
        }
    }

    private static SampleType signalType(String file, String path, Dataset ds) {
        checkRank(file, path, ds, "[channels, samples]");
        DataType type = ds.getDataType();
        if (type instanceof FixedPoint fixed && fixed.getSize() == 2 && fixed.isSigned()) {
            return SampleType.INT16;
        }
        if (type instanceof FloatingPoint && type.getSize() == 4) {
            return SampleType.FLOAT32;
        }
        throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                "type: " + describeType(type) + " (expected: int16 or float32)", null);
    }

    private static void checkLabelType(String file, String path, Dataset ds) {
        checkRank(file, path, ds, "[label channels, n]");
        DataType type = ds.getDataType();
        if (!(type instanceof FixedPoint)) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "type: " + describeType(type) + " (expected: an integer type such as int8, int16, int32 or uint8)",
                    null);
        }
    }

    static String describeType(DataType type) {
        if (type instanceof FixedPoint fixed) {
            return (fixed.isSigned() ? "int" : "uint") + fixed.getSize() * 8;
        }
        if (type instanceof FloatingPoint) {
            return "float" + type.getSize() * 8;
        }
        if (type instanceof StringData) {
            return "string";
        }
        return type.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    private static void checkFilters(String file, String path, Dataset ds) {
        try {
            ds.getFilters();
        } catch (RuntimeException e) {
            throw translate(e, file, path, null);
        }
    }

    private static void checkWindow(String file, String path, Window window, long[] dims) {
        String detail = null;
        if (window.firstRow() < 0) {
            detail = "firstChannel: " + window.firstRow() + " (expected: >= 0)";
        } else if (window.rows() < 1) {
            detail = "channelCount: " + window.rows() + " (expected: >= 1)";
        } else if (window.firstRow() + window.rows() > dims[0]) {
            detail = "firstChannel + channelCount: " + (window.firstRow() + window.rows()) + " (expected: <= "
                    + dims[0] + ", the rows of the dataset)";
        } else if (window.start() < 0) {
            detail = "start: " + window.start() + " (expected: >= 0)";
        } else if (window.count() < 1) {
            detail = "count: " + window.count() + " (expected: >= 1)";
        } else if (window.start() > dims[1] - window.count()) {
            detail = "start + count: " + (window.start() + window.count()) + " (expected: <= " + dims[1]
                    + ", the samples in the dataset)";
        }
        if (detail != null) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, path, window, detail, null);
        }
    }

    private static SignalInfo parseSignal(String file, String path, Dataset ds) {
        SampleType type = signalType(file, path, ds);
        checkFilters(file, path, ds);
        long[] dims = ds.getDimensionsAsLong();
        if (dims[1] < 1) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "samples: " + dims[1] + " (expected: >= 1)", null);
        }
        Attributes a = new Attributes(ds, file, path);
        List<String> channels = a.names("channels", "one channel name per row", false);
        checkRows(a, "channels", channels, dims);
        double rate = a.positive("sample_rate", "samples per second (Hz)");
        double resolution = a.number("resolution", "the value of one sample step");
        if (resolution == 0) {
            throw a.bad("resolution", "0.0", "a non-zero number, the value of one sample step");
        }
        double offset = a.number("offset", "added after scaling: value = sample * resolution + offset");
        String unit = a.string("unit", "the unit of decoded values");
        long start = a.nonNegativeLong("start_ns", "the signal's start within the recording in nanoseconds");
        checkDuration(a, dims[1], rate);
        return new SignalInfo(path, type, channels, rate, resolution, offset, unit, start, dims[1]);
    }

    private static LabelInfo parseLabels(String file, String path, Dataset ds) {
        checkLabelType(file, path, ds);
        checkFilters(file, path, ds);
        long[] dims = ds.getDimensionsAsLong();
        if (dims[1] < 1) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "samples: " + dims[1] + " (expected: >= 1)", null);
        }
        Attributes a = new Attributes(ds, file, path);
        List<String> channels = a.names("channels", "one label channel name per row", false);
        checkRows(a, "channels", channels, dims);
        double rate = a.positive("sample_rate", "label samples per second, for example 1/30 for 30 s epochs");
        long start = a.nonNegativeLong("start_ns", "the labels' start within the recording in nanoseconds");
        List<String> encoding = a.names("encoding", "the name of each label value 0..K-1", false);
        checkDuration(a, dims[1], rate);
        return new LabelInfo(path, channels, rate, start, dims[1], encoding);
    }

    private static void checkRows(Attributes a, String name, List<String> names, long[] dims) {
        if (names.size() != dims[0]) {
            throw a.bad(name, names.size() + " names " + names, dims[0] + " names, one per row of the "
                    + Arrays.toString(dims) + " dataset");
        }
    }

    /** Keeps spans within the nanosecond range of a long (about 292 years). */
    private static void checkDuration(Attributes a, long samples, double rate) {
        if (samples / rate > 9.0e9) {
            throw a.bad("sample_rate", Double.toString(rate), "a rate at which " + samples
                    + " samples last less than 9e9 seconds");
        }
    }

    private static int[][] toInts(String file, String path, Window window, Object data) {
        if (data instanceof int[][] ints) {
            return ints;
        }
        int rows = java.lang.reflect.Array.getLength(data);
        int[][] result = new int[rows][];
        for (int r = 0; r < rows; r++) {
            Object row = java.lang.reflect.Array.get(data, r);
            if (row instanceof byte[] b) {
                result[r] = new int[b.length];
                for (int i = 0; i < b.length; i++) {
                    result[r][i] = b[i];
                }
            } else if (row instanceof short[] s) {
                result[r] = new int[s.length];
                for (int i = 0; i < s.length; i++) {
                    result[r][i] = s[i];
                }
            } else if (row instanceof long[] l) {
                result[r] = new int[l.length];
                for (int i = 0; i < l.length; i++) {
                    if (l[i] != (int) l[i]) {
                        throw outOfIntRange(file, path, window, r, i, Long.toString(l[i]));
                    }
                    result[r][i] = (int) l[i];
                }
            } else if (row instanceof BigInteger[] big) {
                result[r] = new int[big.length];
                for (int i = 0; i < big.length; i++) {
                    if (big[i].bitLength() >= Integer.SIZE) {
                        throw outOfIntRange(file, path, window, r, i, big[i].toString());
                    }
                    result[r][i] = big[i].intValue();
                }
            } else {
                throw new RecordingReadException(Reason.WRONG_DATASET, file, path, window,
                        "type: " + (row == null ? "null" : row.getClass().getSimpleName())
                                + " (expected: an integer type)", null);
            }
        }
        return result;
    }

    private static RecordingReadException outOfIntRange(String file, String path, Window window, int row, int i,
                                                        String value) {
        return new RecordingReadException(Reason.WRONG_DATASET, file, path, window,
                "label value at [" + row + ", " + (window.start() + i) + "]: " + value
                        + " (expected: within the int32 range)", null);
    }
}
