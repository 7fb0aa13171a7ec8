package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingFormat;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.storage.Storage;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Onda datasets in the recording-format seam. Each sample file ({@code .lpcm}, {@code .lpcm.zst}) that
 * a row of the dataset's signals table names is one recording file: its recording id is the row's
 * {@code recording} UUID, its one signal dataset is {@code /<sensor_label>}, and its labels are the
 * dataset {@value OndaReader#LABELS} of that recording's annotations turned into the dense label grid
 * ({@link StageMap#aasm()} and 30 s epochs unless given otherwise). The tables themselves are read by
 * the reader ({@link OndaDataset}); a signal file no table names is an error naming it.
 */
public final class OndaFormat implements RecordingFormat {
    /** The name {@code recordings.json} records. */
    public static final String NAME = "onda";
    /** The label epoch unless another is given: 30 s, the AASM scoring epoch. */
    public static final long DEFAULT_EPOCH_NANOS = 30_000_000_000L;

    private final Supplier<Storage> localStorage;
    private final StageMap map;
    private final long epochNanos;
    private final String labelColumn;

    /**
     * The format with the AASM map, 30 s epochs, the {@value OndaDataset#DEFAULT_LABEL_COLUMN} label
     * column, and the process's {@link Storage#shared()} cache for decompressed local {@code lpcm.zst}
     * files.
     */
    public OndaFormat() {
        this(Storage::shared, StageMap.aasm(), DEFAULT_EPOCH_NANOS, OndaDataset.DEFAULT_LABEL_COLUMN);
    }

    /**
     * The format with its settings.
     *
     * @param localStorage gives the file cache that decompressed local {@code lpcm.zst} files go to
     *     (S3 datasets use their own storage)
     * @param map what each annotation text means
     * @param epochNanos the label epoch
     * @param labelColumn the annotations column holding label text
     * @throws IllegalArgumentException if {@code epochNanos <= 0}
     */
    public OndaFormat(Supplier<Storage> localStorage, StageMap map, long epochNanos, String labelColumn) {
        if (epochNanos <= 0) {
            throw new IllegalArgumentException("epochNanos: " + epochNanos + " (expected: > 0)");
        }
        this.localStorage = localStorage;
        this.map = map;
        this.epochNanos = epochNanos;
        this.labelColumn = labelColumn;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean claims(String file) {
        String lower = file.toLowerCase(Locale.ROOT);
        return lower.endsWith(".lpcm") || lower.endsWith(".lpcm.zst");
    }

    @Override
    public String defaultRecording(String file) {
        String name = RecordingFiles.normalizeName(file);
        return name.toLowerCase(Locale.ROOT).endsWith(".lpcm.zst") ? RecordingFiles.stripExtension(name, ".lpcm.zst")
                : RecordingFiles.stripExtension(name, ".lpcm");
    }

    @Override
    public RecordingReader open(FileAccess access, int maxOpenFiles) {
        return new OndaReader(access, access.isRemote() ? access::storage : localStorage, map, epochNanos, labelColumn);
    }
}
