package dev.batcher.materializers.onda;

import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.labels.StageGrid;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An Onda dataset (the format of OndaBatches.jl, specified in Onda.jl's README), read in place from a
 * local directory or an S3 prefix: its {@code *.onda.signals.arrow} and {@code *.onda.annotations.arrow}
 * tables (also the singular {@code *.onda.signal.arrow} / {@code *.onda.annotation.arrow} that
 * Onda.jl's tour writes), anywhere under the dataset, and the {@code lpcm} / {@code lpcm.zst} sample
 * files they name.
 *
 * <p>Opening reads every table and checks every row against its schema ({@code onda.signal@2}, or
 * {@code @1} with {@code kind}; {@code onda.annotation@1} plus a text label column, {@code value} unless
 * told otherwise), that every {@code file_path} lies inside the dataset, and that every {@code lpcm}
 * file holds exactly the bytes its span implies. {@code lpcm.zst} files are checked when first
 * decompressed. Windows are read by byte range ({@link #read}). Thread-safe.
 */
public final class OndaDataset {
    /** The table name suffixes of signals tables. */
    public static final List<String> SIGNALS_SUFFIXES = List.of(".onda.signals.arrow", ".onda.signal.arrow");
    /** The table name suffixes of annotations tables. */
    public static final List<String> ANNOTATIONS_SUFFIXES = List.of(".onda.annotations.arrow", ".onda.annotation.arrow");
    /** The annotations column read as label text unless another is given. */
    public static final String DEFAULT_LABEL_COLUMN = "value";

    /** The largest read buffer a thread keeps for its next window (decoding copies out of it). */
    private static final int REUSED_BYTES = 4 << 20;
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(64 << 10));

    private final DatasetLocation location;
    private final List<String> signalTables;
    private final List<String> annotationTables;
    private final List<OndaSignal> signals;
    private final Map<String, OndaSignal> byFile = new HashMap<>();
    private final Map<String, List<OndaAnnotation>> annotations;
    private final SampleFiles files;

    private OndaDataset(DatasetLocation location, List<String> signalTables, List<String> annotationTables,
                        List<OndaSignal> signals, Map<String, List<OndaAnnotation>> annotations, SampleFiles files) {
        this.location = location;
        this.signalTables = List.copyOf(signalTables);
        this.annotationTables = List.copyOf(annotationTables);
        this.signals = List.copyOf(signals);
        this.annotations = annotations;
        this.files = files;
        signals.forEach(s -> byFile.put(s.file(), s));
    }

    /**
     * Tells whether a local directory holds an Onda signals table anywhere under it.
     *
     * @param dir the directory
     * @return true if a file name ends with one of {@link #SIGNALS_SUFFIXES}
     */
    public static boolean isOnda(Path dir) {
        try {
            return !localTables(dir, SIGNALS_SUFFIXES).isEmpty();
        } catch (OndaException e) {
            return false;
        }
    }

    /**
     * Opens a dataset with the label text in the {@value #DEFAULT_LABEL_COLUMN} column.
     *
     * @see #open(DatasetLocation, Storage, String)
     */
    public static OndaDataset open(DatasetLocation location, Storage storage) {
        return open(location, storage, DEFAULT_LABEL_COLUMN);
    }

    /**
     * Opens a dataset: reads and checks its tables and checks its sample files.
     *
     * @param location a local directory or {@code s3://bucket/prefix}
     * @param storage the store and file cache (S3 reads; the decompressed copies of {@code lpcm.zst} files)
     * @param labelColumn the annotations column holding each annotation's label text, or null to leave
     *     the annotations tables unread (readers of samples need none)
     * @return the dataset
     * @throws OndaException if there is no signals table, a table breaks its schema, a {@code file_path}
     *     leads outside the dataset, or a sample file is missing or of the wrong size
     * @throws StorageException if the S3 prefix cannot be listed or a table cannot be fetched
     */
    public static OndaDataset open(DatasetLocation location, Storage storage, String labelColumn) {
        Objects.requireNonNull(storage, "storage");
        Map<String, S3Store.ObjectInfo> listed = new HashMap<>();
        List<String> signalTables;
        List<String> annotationTables;
        if (location.isS3()) {
            List<S3Store.Listed> objects = storage.store().list(location.bucket(), location.prefix());
            objects.forEach(o -> listed.put(o.name(), o.info()));
            signalTables = matching(listed.keySet().stream(), SIGNALS_SUFFIXES);
            annotationTables = matching(listed.keySet().stream(), ANNOTATIONS_SUFFIXES);
        } else {
            signalTables = localTables(location.local(), SIGNALS_SUFFIXES);
            annotationTables = localTables(location.local(), ANNOTATIONS_SUFFIXES);
        }
        if (signalTables.isEmpty()) {
            throw new OndaException(location.toString(), "signals table: none (expected: a file named *"
                    + SIGNALS_SUFFIXES.get(0) + " under the dataset)", null);
        }
        List<OndaSignal> signals = new ArrayList<>();
        for (String table : signalTables) {
            signals.addAll(OndaTables.signals(bytes(location, storage, table), location.describe(table), location,
                    parent(table)));
        }
        Map<String, OndaSignal> files = new HashMap<>();
        for (OndaSignal s : signals) {
            OndaSignal other = files.putIfAbsent(s.file(), s);
            if (other != null) {
                throw new OndaException(location.describe(s.file()), "named by two signals (" + other.recording() + " "
                        + other.sensorLabel() + " and " + s.recording() + " " + s.sensorLabel()
                        + "; expected: a sample file of its own for each signal)", null);
            }
        }
        Map<String, List<OndaAnnotation>> annotations = new TreeMap<>();
        for (String table : labelColumn == null ? List.<String>of() : annotationTables) {
            for (OndaAnnotation a : OndaTables.annotations(bytes(location, storage, table), location.describe(table), labelColumn)) {
                annotations.computeIfAbsent(a.recording(), r -> new ArrayList<>()).add(a);
            }
        }
        annotations.values().forEach(list -> list.sort(Comparator.comparingLong(OndaAnnotation::onsetNanos)
                .thenComparingLong(OndaAnnotation::durationNanos).thenComparing(OndaAnnotation::id)));
        SampleFiles sampleFiles = new SampleFiles(location, storage, listed);
        signals.forEach(sampleFiles::check);
        return new OndaDataset(location, signalTables, annotationTables, signals, annotations, sampleFiles);
    }

    private static String parent(String table) {
        int slash = table.lastIndexOf('/');
        return slash < 0 ? "" : table.substring(0, slash);
    }

    private static List<String> matching(Stream<String> names, List<String> suffixes) {
        return names.filter(n -> suffixes.stream().anyMatch(n.toLowerCase(Locale.ROOT)::endsWith))
                .filter(n -> !hidden(n)).sorted().toList();
    }

    private static boolean hidden(String relative) {
        for (String part : relative.split("/")) {
            if (part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> localTables(Path dir, List<String> suffixes) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return matching(walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')), suffixes);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new OndaException(dir.toString(), "directory: unreadable (" + e + ")", e, false);
        }
    }

    private static byte[] bytes(DatasetLocation location, Storage storage, String table) {
        if (location.isS3()) {
            return storage.store().readAll(location.bucket(), location.key(table));
        }
        try {
            return Files.readAllBytes(location.local().resolve(table));
        } catch (IOException e) {
            throw new OndaException(location.describe(table), "unreadable (" + e + ")", e, false);
        }
    }

    /** Returns the dataset's location. */
    public DatasetLocation location() {
        return location;
    }

    /** Returns the signals tables read, relative to the dataset, in name order. */
    public List<String> signalTables() {
        return signalTables;
    }

    /** Returns the annotations tables read, relative to the dataset, in name order. */
    public List<String> annotationTables() {
        return annotationTables;
    }

    /** Returns every signal, in table order. */
    public List<OndaSignal> signals() {
        return signals;
    }

    /**
     * Returns the signal whose sample file is {@code file}.
     *
     * @param file the sample file relative to the dataset ({@link OndaSignal#file()})
     * @return the signal
     * @throws OndaException if no signal names that file
     */
    public OndaSignal signal(String file) {
        OndaSignal s = byFile.get(file);
        if (s == null) {
            throw new OndaException(location.describe(file), "signal: none (expected: a sample file named by a row of "
                    + signalTables + ")", null);
        }
        return s;
    }

    /**
     * Returns the signal whose sample file is {@code file}, or null.
     *
     * @param file the sample file relative to the dataset
     * @return the signal or null
     */
    public OndaSignal find(String file) {
        return byFile.get(file);
    }

    /** Returns the recordings that have signals, in order. */
    public List<String> recordings() {
        return signals.stream().map(OndaSignal::recording).distinct().sorted().toList();
    }

    /**
     * Returns a recording's annotations: onset, duration and label text, ordered by onset, then
     * duration, then id.
     *
     * @param recording the recording's UUID
     * @return the annotations, empty if it has none
     */
    public List<OndaAnnotation> annotations(String recording) {
        return List.copyOf(annotations.getOrDefault(recording, List.of()));
    }

    /**
     * Returns a recording's annotations as the dense label grid batches use, by the same rule as every
     * other annotation source ({@link StageGrid#build}: the stage covering most of each epoch).
     *
     * @param recording the recording's UUID
     * @param map what each label text means (the built-in AASM map or a JSON override)
     * @param epochNanos the epoch length
     * @return the grid, or empty if no annotation of the recording maps to a stage
     * @throws dev.batcher.materializers.labels.LabelException if the map does not know a text, or two
     *     overlapping annotations give different stages (naming both: table, row, id, onset, text)
     */
    public Optional<StageGrid> labels(String recording, StageMap map, long epochNanos) {
        List<Annotation> list = new ArrayList<>();
        for (OndaAnnotation a : annotations.getOrDefault(recording, List.of())) {
            list.add(a.toAnnotation());
        }
        return StageGrid.build(list, map, epochNanos);
    }

    /** Returns every annotation by recording (recordings in order). */
    public Map<String, List<OndaAnnotation>> annotations() {
        Map<String, List<OndaAnnotation>> out = new LinkedHashMap<>();
        annotations.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /**
     * Reads a window of a signal: channels {@code [firstChannel, firstChannel + channelCount)} and
     * samples {@code [sampleStart, sampleStart + sampleCount)}, counted from the signal's span start.
     * All channels of the samples are one byte range of the interleaved file: one positional read
     * locally, one ranged GET in S3, one positional read of the decompressed copy for {@code lpcm.zst}.
     *
     * @param signal the signal
     * @param firstChannel the first channel
     * @param channelCount the number of channels ({@code >= 1})
     * @param sampleStart the first sample
     * @param sampleCount the number of samples ({@code >= 1})
     * @return the window, {@code [channelCount][sampleCount]}: int16 or float32 samples still to be
     *     decoded with {@link OndaSignal#info()}'s resolution and offset (see {@link LpcmType})
     * @throws OndaException if the window leaves the signal, the file is truncated or corrupt
     * @throws StorageException if an object is missing, changed or unavailable
     */
    public RawWindow read(OndaSignal signal, int firstChannel, int channelCount, long sampleStart, int sampleCount) {
        int n = signal.channels().size();
        long samples = signal.samples();
        if (firstChannel < 0 || channelCount < 1 || firstChannel + (long) channelCount > n
                || sampleStart < 0 || sampleCount < 1 || sampleStart + sampleCount > samples) {
            throw new OndaException(files.describe(signal), "window: channels [" + firstChannel + ", "
                    + (firstChannel + (long) channelCount) + "), samples [" + sampleStart + ", " + (sampleStart + sampleCount)
                    + ") (expected: a non-empty window inside channels [0, " + n + ") and samples [0, " + samples + ") of "
                    + signal.sensorLabel() + ")", null);
        }
        long length = sampleCount * signal.frameBytes();
        if (length > Integer.MAX_VALUE - 8) {
            throw new OndaException(files.describe(signal), "window: " + length + " bytes (expected: at most 2 GiB at once)", null);
        }
        ByteBuffer bytes = buffer((int) length);
        try {
            files.read(signal, bytes, sampleStart * signal.frameBytes());
        } catch (IOException e) {
            throw new OndaException(files.describe(signal), "read of samples [" + sampleStart + ", " + (sampleStart + sampleCount)
                    + "): " + e + " (expected: a readable file)", e, false);
        }
        bytes.flip();
        return LpcmDecoder.decode(bytes, signal, firstChannel, channelCount, sampleCount);
    }

    /** Returns a heap buffer of {@code length} bytes: this thread's reused one up to {@value #REUSED_BYTES} bytes. */
    private static ByteBuffer buffer(int length) {
        if (length > REUSED_BYTES) {
            return ByteBuffer.allocate(length);
        }
        ByteBuffer b = BUFFER.get();
        if (b.capacity() < length) {
            b = ByteBuffer.allocate(Math.max(length, Math.min(REUSED_BYTES, 2 * b.capacity())));
            BUFFER.set(b);
        }
        return b.clear().limit(length);
    }

    @Override
    public String toString() {
        return "OndaDataset[" + location + ", " + signals.size() + " signals, " + recordings().size() + " recordings]";
    }
}
