package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.hdf5.RecordingReadException.Reason;
import dev.batcher.materializers.hdf5.RecordingReadException.Window;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.ByteSource;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.FileCache;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfInvalidPathException;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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

import static dev.batcher.materializers.hdf5.MetadataParser.checkLabelType;
import static dev.batcher.materializers.hdf5.MetadataParser.checkWindow;
import static dev.batcher.materializers.hdf5.MetadataParser.parseLabels;
import static dev.batcher.materializers.hdf5.MetadataParser.parseSignal;
import static dev.batcher.materializers.hdf5.MetadataParser.signalType;
import static dev.batcher.materializers.hdf5.MetadataParser.toInts;
import static dev.batcher.materializers.hdf5.ReadErrors.checkInterrupt;
import static dev.batcher.materializers.hdf5.ReadErrors.translate;

/**
 * Reads recording files (HDF5, through jhdf) for many threads at once, from local directories or from
 * an object-storage prefix ({@code s3://bucket/prefix}).
 *
 * <p>It is a facade over four seams: file names and dataset roots ({@link DatasetRoots}, the one place
 * that decides what may be read), metadata ({@code MetadataParser}: attributes into
 * {@link SignalInfo}/{@link LabelInfo}), bytes ({@link ByteSource}: positional reads of a local file or
 * ranged GETs of an object; {@code ContiguousStorage} reads windows of contiguous datasets through it)
 * and open files ({@code HandleCache}, leased jhdf handles). Errors are translated in one place
 * ({@code ReadErrors}).
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
 * close together, one span covering them) with positional reads into a reused per-thread direct buffer
 * of at most 1 MiB, and copies the bytes into the result in the dataset's byte order. Locally it reads
 * through the same channel jhdf opened for the file (no second file descriptor), so leases, eviction,
 * closing and the recovery from interrupts above apply to it unchanged. Chunked and filtered datasets,
 * unallocated contiguous ones (never written) and anything else unusual are read by jhdf. The system
 * property {@value #FAST_PATH_PROPERTY}{@code =false}, read when an instance is created, turns the fast
 * path off (every read through jhdf).
 *
 * <p><b>Object storage.</b> Over {@code s3://bucket/prefix}, the metadata recorded at index time
 * ({@link #register}, from the dataset's {@code recordings.json}) gives each dataset's
 * {@link SignalInfo}/{@link LabelInfo} and, for contiguous ones, its {@link StorageLayout}: windows of
 * those are read with ranged GETs of just their rows (no HDF5 parsing, no extra round trip), checked
 * against the recorded ETag. Everything else (chunked or compressed datasets, files without recorded
 * metadata) is read by jhdf from a whole local copy in the {@link Storage}'s bounded
 * {@link FileCache}, leased for as long as the file is open here.
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

    private final List<Path> roots;
    /** The object-storage prefix, or null for local roots. */
    private final DatasetLocation remote;
    private final Storage storage;
    private final HandleCache cache;
    private final ConcurrentHashMap<String, String> resolved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfoKey, SignalInfo> signalInfos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InfoKey, LabelInfo> labelInfos = new ConcurrentHashMap<>();
    /** Recorded layouts of contiguous datasets in object storage, read by ranged GETs. */
    private final ConcurrentHashMap<InfoKey, ContiguousStorage> remoteStorages = new ConcurrentHashMap<>();
    /** Recorded ETags of objects, by file name. */
    private final ConcurrentHashMap<String, String> etags = new ConcurrentHashMap<>();
    private final boolean fastPath;
    private final LongAdder contiguousReads = new LongAdder();
    private final LongAdder jhdfReads = new LongAdder();

    static {
        // jhdf's own filter for id 3 does not verify checksums; ours does (see Fletcher32Filter).
        Fletcher32Filter.install();
        // jhdf's deflate makes a native inflater per chunk and copies the output twice; ours does neither.
        InflateFilter.install();
    }

    /** Which code reads a signal dataset's windows (for tests). */
    enum ReadPath {
        /** Positional reads of the contiguous storage ({@link ContiguousStorage}). */
        CONTIGUOUS,
        /** jhdf's {@code Dataset.getData(offset, shape)}. */
        JHDF
    }

    /** A dataset of a resolved file: {@code id} is the real path or {@code s3://bucket/key}. */
    private record InfoKey(String id, String dataset) {
    }

    /**
     * Creates a reader over local {@code roots}.
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
        checkMaxOpen(maxOpenFiles);
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
        this.remote = null;
        this.storage = null;
        this.fastPath = fastPath;
        this.cache = new HandleCache(maxOpenFiles, id -> openLocal(Path.of(id)));
    }

    private RecordingFiles(DatasetLocation remote, Storage storage, int maxOpenFiles) {
        checkMaxOpen(maxOpenFiles);
        this.roots = List.of();
        this.remote = remote;
        this.storage = Objects.requireNonNull(storage, "storage");
        this.fastPath = !"false".equalsIgnoreCase(System.getProperty(FAST_PATH_PROPERTY, "true").trim());
        this.cache = new HandleCache(maxOpenFiles, this::openRemote);
    }

    private static void checkMaxOpen(int maxOpenFiles) {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles: " + maxOpenFiles + " (expected: >= 1)");
        }
    }

    /**
     * Creates a reader over a dataset location: a local directory, or {@code s3://bucket/prefix} read
     * through {@code storage}.
     *
     * @param location the dataset
     * @param storage the store and file cache for object storage (unused for a local directory)
     * @param maxOpenFiles how many files to keep open ({@code >= 1})
     * @return the reader
     * @throws IllegalArgumentException if a local directory does not exist or {@code maxOpenFiles < 1}
     */
    public static RecordingFiles open(DatasetLocation location, Storage storage, int maxOpenFiles) {
        if (location.isS3()) {
            return new RecordingFiles(location, storage, maxOpenFiles);
        }
        return new RecordingFiles(List.of(location.local()), maxOpenFiles);
    }

    /** Returns the roots, as real (symlink-free, absolute) paths, in resolution order (empty for object storage). */
    public List<Path> roots() {
        return roots;
    }

    /** Returns the object-storage prefix this reader reads, or null if it reads local roots. */
    public DatasetLocation remote() {
        return remote;
    }

    /**
     * Returns the executor to read several windows of this dataset at the same time with, or null when
     * reading one after another is best: for local roots (a positional read of the page cache is
     * cheaper than a hand-off between threads).
     *
     * @return the storage's {@link Storage#fetchExecutor()} for object storage, else null
     */
    public java.util.concurrent.Executor fetchExecutor() {
        return remote == null ? null : storage.fetchExecutor();
    }

    /**
     * Records what index time learned about a signal dataset, so that no read has to learn it again:
     * its metadata, the file's ETag and, for a contiguous dataset, where its elements lie. Only
     * object-storage readers use the layout (local files are parsed when opened, which costs nothing).
     *
     * @param file the file name
     * @param etag the object's ETag when indexed, or null to accept any
     * @param info the signal's metadata
     * @param layout where its elements lie, or null if it is not contiguous
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is refused
     * @throws IllegalArgumentException if the layout's type or shape disagrees with {@code info}
     */
    public void register(String file, String etag, SignalInfo info, StorageLayout layout) {
        String id = id(file);
        InfoKey key = new InfoKey(id, info.dataset());
        signalInfos.putIfAbsent(key, info);
        if (etag != null) {
            etags.putIfAbsent(file, etag);
        }
        if (remote != null && layout != null) {
            if (layout.sampleType() != info.type() || layout.rows() != info.channels().size()
                    || layout.columns() != info.samples()) {
                throw new IllegalArgumentException("layout: " + layout + " of " + file + " " + info.dataset()
                        + " (expected: " + info.type() + " [" + info.channels().size() + ", " + info.samples() + "])");
            }
            remoteStorages.putIfAbsent(key, new ContiguousStorage(
                    storage.store().source(remote.bucket(), remote.key(file), etag), layout));
        }
    }

    /**
     * Records what index time learned about a label dataset (see {@link #register(String, String, SignalInfo, StorageLayout)}).
     *
     * @param file the file name
     * @param etag the object's ETag when indexed, or null
     * @param info the labels' metadata
     * @param layout where its elements lie, or null if it is not contiguous
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is refused
     * @throws IllegalArgumentException if the layout's shape disagrees with {@code info} or its type is not an integer
     */
    public void register(String file, String etag, LabelInfo info, StorageLayout layout) {
        String id = id(file);
        InfoKey key = new InfoKey(id, info.dataset());
        labelInfos.putIfAbsent(key, info);
        if (etag != null) {
            etags.putIfAbsent(file, etag);
        }
        if (remote != null && layout != null) {
            if (layout.kind() == 'f' || layout.rows() != info.channels().size() || layout.columns() != info.samples()) {
                throw new IllegalArgumentException("layout: " + layout + " of " + file + " " + info.dataset()
                        + " (expected: integers [" + info.channels().size() + ", " + info.samples() + "])");
            }
            remoteStorages.putIfAbsent(key, new ContiguousStorage(
                    storage.store().source(remote.bucket(), remote.key(file), etag), layout));
        }
    }

    /**
     * Returns where the elements of a dataset lie if it is contiguous and unfiltered (what index time
     * records), learned from the file's header.
     *
     * @param file the file name
     * @param dataset the dataset's path inside the file
     * @return the layout, or null if the dataset is chunked, filtered, unallocated or of an element type
     *     that is not an integer or float of 1, 2, 4 or 8 bytes
     * @throws RecordingReadException as {@link #signalInfo} does
     * @throws IllegalStateException if this object is closed
     */
    public StorageLayout layout(String file, String dataset) {
        String path = normalizeDataset(dataset);
        return withDataset(file, path, null, ds -> ContiguousStorage.layoutOf(ds, withHandleFile(file)));
    }

    private HdfFile withHandleFile(String file) {
        return withHandle(file, null, null, h -> h.file);
    }

    /**
     * Returns the ETag of an object-storage file (asking the store), or null for a local file.
     *
     * @param file the file name
     * @return the ETag
     * @throws RecordingReadException if the object is missing or forbidden
     */
    public String etag(String file) {
        if (remote == null) {
            return null;
        }
        id(file);
        try {
            return storage.store().head(remote.bucket(), remote.key(file)).etag();
        } catch (StorageException e) {
            throw ReadErrors.fromStorage(e, file, null, null);
        }
    }

    /**
     * Resolves a file name against the roots: the first root that holds it wins.
     *
     * @param file a path relative to the roots, with forward slashes
     * @return the file's real path
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is empty,
     *     absolute, contains a {@code ..} segment, or resolves outside its root through a symbolic link;
     *     with reason {@link Reason#MISSING_FILE} if no root holds a regular file of that name
     * @throws IllegalStateException if this reader reads object storage
     */
    public Path resolve(String file) {
        if (remote != null) {
            throw new IllegalStateException("resolve: " + remote + " (expected: local roots; objects have no path)");
        }
        return Path.of(id(file));
    }

    /** Returns the real path (local) or {@code s3://bucket/key} of a file name, checked and cached. */
    private String id(String file) {
        String known = resolved.get(file);
        if (known != null) {
            return known;
        }
        String id = resolveUncached(file);
        resolved.put(file, id);
        return id;
    }

    private String resolveUncached(String file) {
        try {
            if (remote != null) {
                return remote.describe(DatasetRoots.checkRelative(file));
            }
            for (Path root : roots) {
                Path real = DatasetRoots.resolveInside(root, file);
                if (real == null) {
                    continue;
                }
                if (!Files.isRegularFile(real)) {
                    throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                            "path: " + real + " is not a regular file (expected: an HDF5 file)", null);
                }
                return real.toString();
            }
        } catch (StorageException e) {
            throw ReadErrors.fromStorage(e, file, null, null);
        }
        throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                "path: not found (expected: an existing file under one of the roots " + roots + ")", null);
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
        InfoKey key = new InfoKey(id(file), path);
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
        InfoKey key = new InfoKey(id(file), path);
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
        ContiguousStorage ranged = remoteStorage(file, path);
        if (ranged != null) {
            return readRanged(file, path, window, ranged, () -> {
                SignalInfo info = signalInfos.get(new InfoKey(id(file), path));
                checkWindow(file, path, window, new long[] {info.channels().size(), info.samples()});
                return readContiguous(ranged, file, path, window);
            });
        }
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

    /** Returns the recorded ranged-GET storage of an object-storage dataset, or null. */
    private ContiguousStorage remoteStorage(String file, String path) {
        if (remote == null || !fastPath || remoteStorages.isEmpty()) {
            return null;
        }
        return remoteStorages.get(new InfoKey(id(file), path));
    }

    private <T> T readRanged(String file, String path, Window window, ContiguousStorage ranged,
                             java.util.function.Supplier<T> read) {
        checkInterrupt(file, path, window, null);
        try {
            contiguousReads.increment();
            storage.countRanged();
            return read.get();
        } catch (RecordingReadException e) {
            throw e;
        } catch (RuntimeException e) {
            checkInterrupt(file, path, window, e);
            throw translate(e, file, path, window);
        }
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
        ContiguousStorage ranged = remoteStorage(file, path);
        int[][] labels;
        if (ranged != null) {
            Window window = new Window(0, info.channels().size(), start, count);
            labels = readRanged(file, path, window, ranged, () -> {
                checkWindow(file, path, window, new long[] {info.channels().size(), info.samples()});
                try {
                    return ranged.readInts(0, info.channels().size(), start, count, file, path, window);
                } catch (EOFException e) {
                    throw new RecordingReadException(Reason.UNREADABLE, file, path, window,
                            "read: " + e.getMessage() + " (expected: a readable, complete HDF5 file)", e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } else {
            labels = withHandle(file, path, null, handle -> {
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
        }
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
        if (remoteStorage(file, path) != null) {
            return ReadPath.CONTIGUOUS;
        }
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
        Handle handle = cache.acquire(id(file));
        try {
            handle.file.getHdfBackingStorage().getFileChannel().close();
        } finally {
            cache.release(handle);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Leasing and retrying
    // ------------------------------------------------------------------------------------------

    private <T> T withDataset(String file, String path, Window window, Function<Dataset, T> read) {
        return withHandle(file, path, window, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            return read.apply(ds);
        });
    }

    private <T> T withHandle(String file, String dataset, Window window, Function<Handle, T> operation) {
        checkInterrupt(file, dataset, window, null);
        String id = id(file);
        for (int attempt = 0; ; attempt++) {
            Handle handle;
            try {
                handle = cache.acquire(id);
            } catch (RecordingReadException | IllegalStateException e) {
                throw e;
            } catch (RuntimeException e) {
                checkInterrupt(file, dataset, window, e);
                throw translate(e, file, null, null);
            }
            if (storage != null && window != null) {
                storage.countCached(!handle.firstReadAfterDownload());
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

    private static Handle openLocal(Path path) {
        checkSignature(path);
        return new Handle(path.toString(), new HdfFile(path), null, false);
    }

    /**
     * Opens an object: its ETag from the store (checked against the recorded one), then a leased whole
     * copy from the file cache (downloaded if the cache holds none with that ETag), opened by jhdf.
     */
    private Handle openRemote(String id) {
        String key = id.substring(DatasetLocation.S3_SCHEME.length() + remote.bucket().length() + 1);
        S3Store store = storage.store();
        S3Store.ObjectInfo info = store.head(remote.bucket(), key);
        String file = key.substring(remote.prefix().isEmpty() ? 0 : remote.prefix().length() + 1);
        String recorded = etags.get(file);
        if (recorded != null && !recorded.equals(info.etag())) {
            throw new StorageException(StorageException.Reason.CHANGED, id, "ETag " + info.etag()
                    + " (expected: " + recorded + ", recorded by bin/batcher index; index the dataset again)", null);
        }
        FileCache.Lease lease;
        try {
            lease = storage.cache().acquire(id, info.etag(), info.size(),
                    target -> store.download(remote.bucket(), key, info.etag(), target));
        } catch (StorageException e) {
            // Open files lease their cached copies: close the idle ones here and try once more.
            if (e.getReason() != StorageException.Reason.CACHE_TOO_SMALL || cache.closeIdle() == 0) {
                throw e;
            }
            lease = storage.cache().acquire(id, info.etag(), info.size(),
                    target -> store.download(remote.bucket(), key, info.etag(), target));
        }
        try {
            checkSignature(lease.path());
            return new Handle(id, new HdfFile(lease.path()), lease, !lease.hit());
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
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

}
