package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RawBuffers;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfInvalidPathException;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.batcher.materializers.format.RecordingFiles.normalizeDataset;
import static dev.batcher.materializers.format.RecordingReadException.checkInterrupt;
import static dev.batcher.materializers.hdf5.MetadataParser.checkLabelType;
import static dev.batcher.materializers.hdf5.MetadataParser.checkWindow;
import static dev.batcher.materializers.hdf5.MetadataParser.parseLabels;
import static dev.batcher.materializers.hdf5.MetadataParser.parseSignal;
import static dev.batcher.materializers.hdf5.MetadataParser.signalType;
import static dev.batcher.materializers.hdf5.MetadataParser.toInts;
import static dev.batcher.materializers.hdf5.ReadErrors.translate;

/**
 * The HDF5 {@link RecordingReader} (through jhdf) for many threads at once, local or in object storage.
 *
 * <p><b>Handles.</b> Open files sit in a bounded LRU cache of {@code maxOpenFiles} handles
 * ({@code HandleCache}; {@code Hdf5Opener} opens them). A read leases its handle for its duration; a
 * handle evicted (or left over at {@link #close()}) while leased closes when its last lease ends, never
 * under a reader. A thread interrupted in the middle of a read closes the file's channel (that is how
 * {@link FileChannel} works); the broken handle is then dropped and the other threads that were reading
 * it retry on a fresh handle (up to twice).
 *
 * <p><b>Contiguous fast path.</b> {@link #readSignal} reads windows of datasets stored contiguously
 * (HDF5's CONTIGUOUS layout, which has no filters) whose storage is allocated, int16 or float32 of
 * either byte order, without jhdf's slicing ({@code ContiguousStorage}): positional reads into a reused
 * per-thread direct buffer of at most 1 MiB, through the same channel jhdf opened for the file. Chunked
 * and filtered datasets, unallocated contiguous ones and anything else unusual are read by jhdf. The
 * system property {@value Hdf5Format#FAST_PATH_PROPERTY}{@code =false} turns the fast path off.
 *
 * <p><b>Chunked path.</b> With the fast path on, windows of two-dimensional chunked int16/float32
 * datasets are read chunk by chunk ({@code ChunkedWindows}): jhdf decodes each chunk through the
 * dataset's filters, and a bounded cache of decoded chunks ({@code ChunkCache}, {@value #CHUNK_CACHE_BYTES}
 * bytes) shared by all threads makes the windows of a batch that share a chunk decode it once. A
 * window that touches an unwritten chunk (or fails otherwise) is read by jhdf instead.
 *
 * <p><b>Object storage.</b> The metadata recorded at index time ({@link #register}) gives each
 * contiguous dataset's {@link StorageLayout}: windows of those are read with ranged GETs of just their
 * rows (no HDF5 parsing), checked against the recorded ETag. Everything else is read by jhdf from a
 * whole local copy in the storage's bounded file cache.
 *
 * <p>Reads of the same dataset from several threads run in parallel: jhdf reads with positional I/O and
 * keeps no per-read state in a dataset, and neither does the fast path. jhdf itself promises only
 * concurrent reads of different datasets or files; sharing one dataset is checked by this module's
 * concurrency tests (including readers interrupted mid-read), not guaranteed upstream.
 */
final class Hdf5Reader implements RecordingReader {
    /**
     * Reads retried on a fresh handle after another thread's interrupt closed the channel, plus one. This
     * thread's own interrupt ends the read at once; other threads' interrupts (cancelled jobs: a hedge's loser,
     * a stopped batcher) can close a shared channel several times in a row, and with two retries a reader of
     * {@code RecordingFilesContiguousTest}'s interrupt storm once ran out.
     */
    private static final int MAX_ATTEMPTS = 8;
    /**
     * Decoded chunk bytes kept by default: 256 chunks of (8, 8192) int16, more than two batches of
     * 32 windows of 7680 samples touch (each window overlaps one or two chunks).
     */
    static final long CHUNK_CACHE_BYTES = 32L << 20;

    private final FileAccess access;
    private final HandleCache cache;
    /** Registered metadata of object-storage datasets, read by ranged GETs. */
    private final ConcurrentHashMap<InfoKey, SignalInfo> signalInfos = new ConcurrentHashMap<>();
    /** Recorded layouts of contiguous datasets in object storage, read by ranged GETs. */
    private final ConcurrentHashMap<InfoKey, ContiguousStorage> remoteStorages = new ConcurrentHashMap<>();
    private final boolean fastPath;
    private final LongAdder contiguousReads = new LongAdder();
    private final LongAdder jhdfReads = new LongAdder();
    private final LongAdder chunkedReads = new LongAdder();
    /** Decoded chunks of chunked datasets, shared by all readers: a batch's windows decode a chunk once. */
    private final ChunkCache chunks;

    static {
        // jhdf's own filter for id 3 does not verify checksums; ours does (see Fletcher32Filter).
        Fletcher32Filter.install();
        // jhdf's deflate makes a native inflater per chunk and copies the output twice; ours does neither.
        InflateFilter.install();
        // jhdf's shuffle writes its output with a stride; ours writes whole elements (see ShuffleFilter).
        ShuffleFilter.install();
    }

    /** Which code reads a signal dataset's windows (for tests). */
    enum ReadPath {
        /** Positional reads of the contiguous storage ({@link ContiguousStorage}). */
        CONTIGUOUS,
        /** Chunk by chunk through the chunk cache ({@code ChunkedWindows}). */
        CHUNKED,
        /** jhdf's {@code Dataset.getData(offset, shape)}. */
        JHDF
    }

    /** A dataset of a file name. */
    private record InfoKey(String file, String dataset) {
    }

    Hdf5Reader(FileAccess access, int maxOpenFiles, boolean fastPath) {
        this(access, maxOpenFiles, fastPath, CHUNK_CACHE_BYTES);
    }

    /** As above, keeping at most {@code chunkCacheBytes} of decoded chunks. */
    Hdf5Reader(FileAccess access, int maxOpenFiles, boolean fastPath, long chunkCacheBytes) {
        this.chunks = new ChunkCache(chunkCacheBytes);
        this.access = access;
        this.fastPath = fastPath;
        Hdf5Opener opener = new Hdf5Opener(access);
        this.cache = new HandleCache(maxOpenFiles, id -> opener.open(id, this::closeIdle));
    }

    private int closeIdle() {
        return cache.closeIdle();
    }

    @Override
    public void register(String file, SignalInfo info, StorageLayout layout) {
        InfoKey key = new InfoKey(file, info.dataset());
        signalInfos.putIfAbsent(key, info);
        if (access.isRemote() && layout != null) {
            if (layout.sampleType() != info.type() || layout.rows() != info.channels().size()
                    || layout.columns() != info.samples()) {
                throw new IllegalArgumentException("layout: " + layout + " of " + file + " " + info.dataset()
                        + " (expected: " + info.type() + " [" + info.channels().size() + ", " + info.samples() + "])");
            }
            remoteStorages.putIfAbsent(key, new ContiguousStorage(access.source(file), layout));
        }
    }

    @Override
    public void register(String file, LabelInfo info, StorageLayout layout) {
        if (access.isRemote() && layout != null) {
            if (layout.kind() == 'f' || layout.rows() != info.channels().size() || layout.columns() != info.samples()) {
                throw new IllegalArgumentException("layout: " + layout + " of " + file + " " + info.dataset()
                        + " (expected: integers [" + info.channels().size() + ", " + info.samples() + "])");
            }
            remoteStorages.putIfAbsent(new InfoKey(file, info.dataset()), new ContiguousStorage(access.source(file), layout));
        }
    }

    @Override
    public StorageLayout layout(String file, String path) {
        return withHandle(file, path, null, handle -> {
            Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
            return ContiguousStorage.layoutOf(ds, handle.file);
        });
    }

    @Override
    public String recording(String file) {
        return withHandle(file, null, null, handle -> {
            Attributes attributes = new Attributes(handle.file, file, null);
            if (!attributes.has("recording")) {
                return null;
            }
            String recording = attributes.string("recording", "the recording id");
            if (recording.isBlank()) {
                throw attributes.bad("recording", "'" + recording + "'", "a non-blank string, the recording id");
            }
            return recording;
        });
    }

    /**
     * Lists the signal datasets of a file: every dataset with a {@code labels} attribute, in path order,
     * mapped to the path of its label dataset. A label path without a leading slash is taken from the
     * file's root. Symbolic and external links are not followed, so no dataset is listed twice.
     */
    @Override

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
     * Checks what the attributes of a signal dataset say: the dataset is two-dimensional int16 or
     * float32; {@code channels} names every row once; {@code sample_rate} is {@code > 0};
     * {@code resolution} is finite and non-zero, {@code offset} finite; {@code unit} a string;
     * {@code start_ns} an integer {@code >= 0}; and its filters are ones jhdf can decode.
     */
    @Override
    public SignalInfo signalInfo(String file, String path) {
        return withHandle(file, path, null, handle -> parseSignal(file, path, handle.dataset(path, p -> lookup(handle, file, p))));
    }

    /**
     * Checks what the attributes of a label dataset say: the dataset is two-dimensional of an integer
     * type; {@code channels} names every row once; {@code sample_rate} is {@code > 0}; {@code start_ns} an
     * integer {@code >= 0}; {@code encoding} holds at least one name, all distinct; its filters are ones
     * jhdf can decode.
     */
    @Override
    public LabelInfo labelInfo(String file, String path) {
        return withHandle(file, path, null, handle -> parseLabels(file, path, handle.dataset(path, p -> lookup(handle, file, p))));
    }

    @Override
    public RawWindow readSignal(String file, String path, Window window) {
        return readSignal(file, path, window, null);
    }

    /** As {@link #readSignal(String, String, Window)}; the fast paths read into {@code into} unless it is null. */
    @Override
    public RawWindow readSignal(String file, String path, Window window, RawBuffers into) {
        ContiguousStorage ranged = remoteStorage(file, path);
        if (ranged != null) {
            return readRanged(file, path, window, ranged, () -> {
                SignalInfo info = signalInfos.get(new InfoKey(file, path));
                checkWindow(file, path, window, new long[] {info.channels().size(), info.samples()});
                return readContiguous(ranged, file, path, window, into);
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
                return readContiguous(storage, file, path, window, into);
            }
            if (fastPath && ChunkedWindows.readable(ds, type)) {
                try {
                    RawWindow read = ChunkedWindows.read(chunks, handle, path, ds, type, window, into);
                    chunkedReads.increment();
                    return read;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    checkInterrupt(file, path, window, e);
                    throw new IllegalStateException("unreachable: interrupt flag lost", e);
                } catch (RuntimeException e) {
                    // An unwritten chunk (jhdf's getData fills it with the fill value), a corrupt one, a
                    // closed channel: jhdf's own read below decides, with the errors it always gave.
                    checkInterrupt(file, path, window, e);
                }
            }
            jhdfReads.increment();
            Object data;
            try {
                data = ds.getData(new long[] {window.firstRow(), window.start()},
                        new int[] {(int) window.rows(), (int) window.count()});
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
        if (!fastPath || remoteStorages.isEmpty()) {
            return null;
        }
        return remoteStorages.get(new InfoKey(file, path));
    }

    private <T> T readRanged(String file, String path, Window window, ContiguousStorage ranged, Supplier<T> read) {
        checkInterrupt(file, path, window, null);
        try {
            contiguousReads.increment();
            access.storage().countRanged();
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
    private static RawWindow readContiguous(ContiguousStorage storage, String file, String path, Window window,
                                            RawBuffers into) {
        try {
            return storage.read(window.firstRow(), (int) window.rows(), window.start(), (int) window.count(), into);
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
    @Override
    public int[][] readLabels(String file, String path, long start, int count) {
        ContiguousStorage ranged = remoteStorage(file, path);
        if (ranged != null) {
            StorageLayout layout = ranged.layout();
            Window window = new Window(0, layout.rows(), start, count);
            return readRanged(file, path, window, ranged, () -> {
                checkWindow(file, path, window, new long[] {layout.rows(), layout.columns()});
                try {
                    return ranged.readInts(0, (int) layout.rows(), start, count, file, path, window);
                } catch (EOFException e) {
                    throw new RecordingReadException(Reason.UNREADABLE, file, path, window,
                            "read: " + e.getMessage() + " (expected: a readable, complete HDF5 file)", e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return withHandle(file, path, null, handle -> {
                Dataset ds = handle.dataset(path, p -> lookup(handle, file, p));
                long[] dims = ds.getDimensionsAsLong();
                checkLabelType(file, path, ds);
                Window window = new Window(0, dims[0], start, count);
                checkWindow(file, path, window, dims);
                ContiguousStorage storage = fastPath ? handle.contiguousLabels(path, ds) : null;
                if (storage != null) {
                    // As for signals: one positional read, not jhdf's slice (which builds the dataset's path
                    // string and a fresh buffer on every call).
                    contiguousReads.increment();
                    try {
                        return storage.readInts(0, Math.toIntExact(dims[0]), start, count, file, path, window);
                    } catch (EOFException e) {
                        throw new RecordingReadException(Reason.UNREADABLE, file, path, window,
                                "read: " + e.getMessage() + " (expected: a readable, complete HDF5 file)", e);
                    } catch (IOException e) {
                        throw new UncheckedIOException("positional read of " + storage + ": " + e, e);
                    }
                }
                Object data;
                try {
                    data = ds.getData(new long[] {0, start}, new int[] {Math.toIntExact(dims[0]), count});
                } catch (RuntimeException e) {
                    throw ChunkCheck.corruptOr(e, handle, ds, file, path, window);
                }
                return toInts(file, path, window, data);
            });
    }

    @Override
    public void close() {
        cache.close();
        chunks.clear();
    }

    /** Returns the handle cache (for tests). */
    HandleCache cache() {
        return cache;
    }

    /** Returns whether the contiguous fast path is on (for tests). */
    boolean fastPath() {
        return fastPath;
    }

    /** Returns how many signal window reads the contiguous fast path and jhdf started (for tests). */
    long[] readCounts() {
        return new long[] {contiguousReads.sum(), jhdfReads.sum()};
    }

    /** Returns how many signal window reads went chunk by chunk through the chunk cache (for tests). */
    long chunkedReads() {
        return chunkedReads.sum();
    }

    /** Returns the chunk cache (for tests). */
    ChunkCache chunks() {
        return chunks;
    }

    /** Returns the recorded ranged-GET storage of a dataset, or null (for tests). */
    boolean ranged(String file, String path) {
        return remoteStorage(file, path) != null;
    }

    /** Runs {@code operation} on the leased dataset (for tests and {@link #layout}). */
    <T> T withDataset(String file, String path, Function<Handle, T> operation) {
        return withHandle(file, path, null, operation);
    }


    private <T> T withHandle(String file, String dataset, Window window, Function<Handle, T> operation) {
        checkInterrupt(file, dataset, window, null);
        String id = access.id(file);
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
            if (access.isRemote() && window != null) {
                access.storage().countCached(!handle.firstReadAfterDownload());
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

}
