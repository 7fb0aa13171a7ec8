package dev.batcher.materializers.format;

import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Reads the recording files of one dataset, whatever their format, for many threads at once, from
 * local directories or from an object-storage prefix ({@code s3://bucket/prefix}).
 *
 * <p>It is a facade over three seams: file names ({@link FileAccess}: local roots or objects, the one
 * place that decides what may be read), formats ({@link RecordingFormat}: each file is read by the
 * {@link RecordingReader} of the format {@code recordings.json} recorded for it, else of the first
 * format that claims its name, see {@link RecordingFormats}) and what index time recorded
 * ({@link #register}: metadata, layouts, ETags and {@link LabelGrid}s built from annotation files).
 * Label values are checked against their encoding here, for every format.
 *
 * <p><b>Caching.</b> Resolved paths and parsed {@link SignalInfo}/{@link LabelInfo} are cached for the
 * life of this object: files must not change while it is open.
 *
 * <p>Every method is thread-safe.
 */
public final class RecordingFiles implements AutoCloseable {
    private final FileAccess access;
    private final Readers readers;
    private final InfoCache infos = new InfoCache();

    /**
     * Creates a reader over local {@code roots}, reading every format of {@link RecordingFormats#defaults()}.
     *
     * @param roots the directories file names resolve against, in order; at least one
     * @param maxOpenFiles how many files each format keeps open ({@code >= 1})
     * @throws IllegalArgumentException if {@code roots} is empty, a root is not an existing directory,
     *     or {@code maxOpenFiles < 1}
     */
    public RecordingFiles(List<Path> roots, int maxOpenFiles) {
        this(FileAccess.local(roots), maxOpenFiles, RecordingFormats.defaults());
    }

    /**
     * Creates a reader over local {@code roots} reading {@code formats}.
     *
     * @param roots the directories file names resolve against, in order; at least one
     * @param maxOpenFiles how many files each format keeps open ({@code >= 1})
     * @param formats the formats
     * @throws IllegalArgumentException as {@link #RecordingFiles(List, int)}
     */
    public RecordingFiles(List<Path> roots, int maxOpenFiles, RecordingFormats formats) {
        this(FileAccess.local(roots), maxOpenFiles, formats);
    }

    private RecordingFiles(FileAccess access, int maxOpenFiles, RecordingFormats formats) {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles: " + maxOpenFiles + " (expected: >= 1)");
        }
        this.access = access;
        this.readers = new Readers(access, Objects.requireNonNull(formats, "formats"), maxOpenFiles);
    }

    /**
     * Creates a reader over a dataset location: a local directory, or {@code s3://bucket/prefix} read
     * through {@code storage}, reading every format of {@link RecordingFormats#defaults()}.
     *
     * @param location the dataset
     * @param storage the store and file cache for object storage (unused for a local directory)
     * @param maxOpenFiles how many files to keep open ({@code >= 1})
     * @return the reader
     * @throws IllegalArgumentException if a local directory does not exist or {@code maxOpenFiles < 1}
     */
    public static RecordingFiles open(DatasetLocation location, Storage storage, int maxOpenFiles) {
        return open(location, storage, maxOpenFiles, RecordingFormats.defaults());
    }

    /**
     * Creates a reader over a dataset location reading {@code formats} (see {@link #open(DatasetLocation, Storage, int)}).
     *
     * @param location the dataset
     * @param storage the store and file cache for object storage (unused for a local directory)
     * @param maxOpenFiles how many files to keep open ({@code >= 1})
     * @param formats the formats
     * @return the reader
     * @throws IllegalArgumentException if a local directory does not exist or {@code maxOpenFiles < 1}
     */
    public static RecordingFiles open(DatasetLocation location, Storage storage, int maxOpenFiles,
                                      RecordingFormats formats) {
        if (location.isS3()) {
            return new RecordingFiles(FileAccess.remote(location, storage), maxOpenFiles, formats);
        }
        return new RecordingFiles(FileAccess.local(List.of(location.local())), maxOpenFiles, formats);
    }

    /** Returns the roots, as real (symlink-free, absolute) paths, in resolution order (empty for object storage). */
    public List<Path> roots() {
        return access.roots();
    }

    /** Returns the object-storage prefix this reader reads, or null if it reads local roots. */
    public DatasetLocation remote() {
        return access.location();
    }

    /** Returns the formats this reader reads. */
    public RecordingFormats formats() {
        return readers.formats();
    }

    /**
     * Returns the executor to read several windows of this dataset at the same time with, or null when
     * reading one after another is best: for local roots (a positional read of the page cache is
     * cheaper than a hand-off between threads).
     *
     * @return the storage's {@link Storage#fetchExecutor()} for object storage, else null
     */
    public Executor fetchExecutor() {
        return access.isRemote() ? access.storage().fetchExecutor() : null;
    }

    /**
     * Returns the format of a file: the one recorded for it ({@link #registerFormat}), else the first
     * that claims its name.
     *
     * @param file the file name
     * @return the format
     * @throws RecordingReadException with reason {@link Reason#UNREADABLE} if no format claims it
     */
    public RecordingFormat format(String file) {
        return readers.format(file);
    }

    /**
     * Returns the reader of a file's format, opened on first use.
     *
     * @param file the file name
     * @return the reader
     * @throws RecordingReadException if the name is refused or no such file exists (see
     *     {@link FileAccess#id}), or as {@link #format}
     * @throws IllegalStateException if this object is closed
     */
    RecordingReader reader(String file) {
        access.id(file);
        return readers.reader(readers.format(file));
    }

    /**
     * Returns the reader of a format, opened on first use (the package's seam to a format's reader).
     *
     * @param format the format's name
     * @return the reader
     * @throws IllegalArgumentException if this object reads no format of that name
     * @throws IllegalStateException if this object is closed
     */
    RecordingReader readerOf(String format) {
        return readers.reader(readers.named(format, null));
    }

    /** Returns the readers opened so far, by format name (they may be closed). */
    Map<String, RecordingReader> openReaders() {
        return readers.opened();
    }

    /**
     * Records the format index time found for a file ({@code recordings.json}'s {@code format}).
     *
     * @param file the file name
     * @param format the format's name
     * @throws IllegalArgumentException if this reader reads no format of that name
     */
    public void registerFormat(String file, String format) {
        readers.record(file, readers.named(format, file));
    }

    /**
     * Records what index time learned about a signal dataset, so that no read has to learn it again:
     * its metadata, the file's ETag and, for a contiguous dataset, where its elements lie (used by
     * object-storage readers, which then need no round trip but the window's).
     *
     * @param file the file name
     * @param etag the object's ETag when indexed, or null to accept any
     * @param info the signal's metadata
     * @param layout where its elements lie, or null
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is refused
     * @throws IllegalArgumentException if the layout disagrees with {@code info}
     */
    public void register(String file, String etag, SignalInfo info, StorageLayout layout) {
        access.id(file);
        access.recordEtag(file, etag);
        infos.putSignal(file, info);
        reader(file).register(file, info, layout);
    }

    /**
     * Records what index time learned about a label dataset stored in the file (see
     * {@link #register(String, String, SignalInfo, StorageLayout)}).
     *
     * @param file the file name
     * @param etag the object's ETag when indexed, or null
     * @param info the labels' metadata
     * @param layout where its elements lie, or null
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is refused
     * @throws IllegalArgumentException if the layout disagrees with {@code info}
     */
    public void register(String file, String etag, LabelInfo info, StorageLayout layout) {
        access.id(file);
        access.recordEtag(file, etag);
        infos.putLabels(file, info);
        reader(file).register(file, info, layout);
    }

    /**
     * Records a label grid built at index time from an annotation file; it is then read as the label
     * dataset {@code grid.info().dataset()} of {@code file}, whatever the file's format.
     *
     * @param file the signal file the grid labels
     * @param grid the grid
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is refused
     */
    public void register(String file, LabelGrid grid) {
        access.id(file);
        infos.putGrid(file, normalizeDataset(grid.info().dataset()), grid);
    }

    /**
     * Returns where the elements of a dataset lie if it can be read with plain byte ranges (what index
     * time records), learned from the file's header.
     *
     * @param file the file name
     * @param dataset the dataset's path inside the file
     * @return the layout, or null
     * @throws RecordingReadException as {@link #signalInfo} does
     * @throws IllegalStateException if this object is closed
     */
    public StorageLayout layout(String file, String dataset) {
        String path = normalizeDataset(dataset);
        if (infos.grid(file, path) != null) {
            return null;
        }
        return reader(file).layout(file, path);
    }

    /**
     * Returns the ETag of an object-storage file (asking the store), or null for a local file.
     *
     * @param file the file name
     * @return the ETag
     * @throws RecordingReadException if the object is missing or forbidden
     */
    public String etag(String file) {
        return access.etag(file);
    }

    /**
     * Returns a file's size in bytes (a {@code HEAD} for an object).
     *
     * @param file the file name
     * @return the size
     * @throws RecordingReadException if the file is missing or unreadable
     */
    public long size(String file) {
        return access.size(file);
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
        if (access.isRemote()) {
            throw new IllegalStateException("resolve: " + access.location() + " (expected: local roots; objects have no path)");
        }
        return Path.of(access.id(file));
    }

    /**
     * Returns the recording id of a file: what the file names (HDF5: its root attribute
     * {@code recording}), or its format's default, the name without its extension.
     *
     * @param file a path relative to the roots
     * @return the recording id
     * @throws RecordingReadException if the file cannot be resolved or opened, or its id is invalid
     * @throws IllegalStateException if this object is closed
     */
    public String recording(String file) {
        String id = reader(file).recording(file);
        return id != null ? id : format(file).defaultRecording(file);
    }

    /**
     * Lists the signal datasets of a file, each mapped to the label dataset of the same file it is
     * trained against, or to null where the file holds none (see {@link RecordingReader#signalDatasets}).
     *
     * @param file a path relative to the roots
     * @return signal dataset path to label dataset path (or null), in the format's order
     * @throws RecordingReadException if the file cannot be resolved, opened or described
     * @throws IllegalStateException if this object is closed
     */
    public Map<String, String> signalDatasets(String file) {
        return reader(file).signalDatasets(file);
    }

    /**
     * Returns a signal dataset's description, checked by its format. The result is cached.
     *
     * @param file a path relative to the roots
     * @param dataset the dataset's path inside the file (a leading slash is optional)
     * @return the signal's description, with the dataset path normalised to start with a slash
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} or {@link Reason#MISSING_FILE}
     *     if the file cannot be resolved; {@link Reason#UNREADABLE} if it is not readable in its format;
     *     {@link Reason#MISSING_DATASET}; {@link Reason#WRONG_DATASET} for a wrong rank or element type;
     *     {@link Reason#UNSUPPORTED_FILTER}; {@link Reason#BAD_ATTRIBUTE} for a missing, ill-typed or
     *     invalid attribute or header field; {@link Reason#INTERRUPTED} if the thread is interrupted
     * @throws IllegalStateException if this object is closed
     */
    public SignalInfo signalInfo(String file, String dataset) {
        String path = normalizeDataset(dataset);
        return infos.signal(file, path, () -> reader(file).signalInfo(file, path));
    }

    /**
     * Returns a label dataset's description: a registered {@link LabelGrid}'s, or what the file says,
     * checked by its format. The result is cached.
     *
     * @param file a path relative to the roots
     * @param dataset the dataset's path inside the file (a leading slash is optional)
     * @return the labels' description, with the dataset path normalised to start with a slash
     * @throws RecordingReadException for the same reasons as {@link #signalInfo}
     * @throws IllegalStateException if this object is closed
     */
    public LabelInfo labelInfo(String file, String dataset) {
        String path = normalizeDataset(dataset);
        return infos.labels(file, path, () -> reader(file).labelInfo(file, path));
    }

    /**
     * Reads a window of a signal dataset, and only that window: rows
     * {@code [firstChannel, firstChannel + channelCount)} and samples
     * {@code [sampleStart, sampleStart + sampleCount)}, checked against the dataset's extent before
     * anything is read. Works for datasets of any length (billions of samples).
     *
     * @param file a path relative to the roots
     * @param dataset the signal dataset's path inside the file
     * @param firstChannel the first row
     * @param channelCount the number of rows ({@code >= 1})
     * @param sampleStart the first sample
     * @param sampleCount the number of samples ({@code >= 1})
     * @return the raw samples, {@code [channelCount][sampleCount]}, int16 or float32 as {@link SignalInfo#type()} says
     * @throws RecordingReadException as {@link RecordingReader#readSignal} says: {@link Reason#OUT_OF_RANGE},
     *     {@link Reason#UNSUPPORTED_FILTER}, {@link Reason#CORRUPT}, {@link Reason#UNREADABLE},
     *     {@link Reason#INTERRUPTED} (its interrupt flag stays set), and the reasons of {@link #signalInfo}
     * @throws IllegalStateException if this object is closed
     */
    public RawWindow readSignal(String file, String dataset, int firstChannel, int channelCount,
                                long sampleStart, int sampleCount) {
        String path = normalizeDataset(dataset);
        return reader(file).readSignal(file, path, new Window(firstChannel, channelCount, sampleStart, sampleCount));
    }

    /**
     * Reads a window as {@link #readSignal(String, String, int, int, long, int)} does, into this thread's
     * {@code into} where the format's reader can ({@link RecordingReader#readSignal(String, String, Window,
     * RawBuffers)}): valid until the thread's next read into {@code into}.
     *
     * @param file a path relative to the roots
     * @param dataset the signal dataset's path inside the file
     * @param firstChannel the first row
     * @param channelCount the number of rows ({@code >= 1})
     * @param sampleStart the first sample
     * @param sampleCount the number of samples ({@code >= 1})
     * @param into the calling thread's buffers
     * @return the raw samples, {@code [channelCount][sampleCount]}
     * @throws RecordingReadException as {@link #readSignal(String, String, int, int, long, int)}
     * @throws IllegalStateException if this object is closed
     */
    public RawWindow readSignal(String file, String dataset, int firstChannel, int channelCount,
                                long sampleStart, int sampleCount, RawBuffers into) {
        String path = normalizeDataset(dataset);
        return reader(file).readSignal(file, path, new Window(firstChannel, channelCount, sampleStart, sampleCount), into);
    }

    /**
     * Reads every label channel of a window of a label dataset (a registered {@link LabelGrid} or one
     * stored in the file), as ints: samples {@code [start, start + count)}.
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
     *     and the value); and the other reasons of {@link #readSignal}
     * @throws IllegalStateException if this object is closed
     */
    public int[][] readLabels(String file, String dataset, long start, int count) {
        String path = normalizeDataset(dataset);
        LabelInfo info = labelInfo(file, path);
        LabelGrid grid = infos.grid(file, path);
        int[][] labels;
        if (grid != null) {
            labels = LabelChecks.window(grid, file, path, start, count);
        } else {
            labels = reader(file).readLabels(file, path, start, count);
        }
        LabelChecks.checkEncoding(file, path, info, start, labels);
        return labels;
    }

    /**
     * Closes every format's reader. Files being read close when their reads end. Further reads throw
     * {@link IllegalStateException}. Closing twice does nothing.
     */
    @Override
    public void close() {
        readers.close();
    }

    /** Normalises a dataset path; see {@link FileNames#normalizeDataset}. */
    public static String normalizeDataset(String dataset) {
        return FileNames.normalizeDataset(dataset);
    }
}
