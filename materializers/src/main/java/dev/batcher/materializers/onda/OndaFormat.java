package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RecordingFormat;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.storage.Storage;

import java.util.List;
import java.util.function.Supplier;

/**
 * Onda datasets in the recording-format seam. Each sample file ({@code .lpcm}, {@code .lpcm.zst}) that
 * a row of the dataset's signals table names is one recording file: its recording id is the row's
 * {@code recording} UUID, its one signal dataset is {@code /<sensor_label>}, and its labels are the
 * grid {@link OndaLabelSource} builds from that recording's annotations at index time. The tables are
 * read by the reader ({@link OndaDataset}); a sample file no table names is an error naming it.
 */
public final class OndaFormat implements RecordingFormat {
    /** The name {@code recordings.json} records. */
    public static final String NAME = "onda";
    /** The file-name extensions it claims (ignoring case). */
    private static final List<String> EXTENSIONS = List.of(".lpcm", ".lpcm.zst");
    private final Supplier<Storage> localStorage;

    /** The format with the process's {@link Storage#shared()} cache for decompressed local {@code lpcm.zst} files. */
    public OndaFormat() {
        this(Storage::shared);
    }

    /**
     * The format with its settings.
     *
     * @param localStorage gives the file cache that decompressed local {@code lpcm.zst} files go to
     *     (S3 datasets use their own storage)
     */
    public OndaFormat(Supplier<Storage> localStorage) {
        this.localStorage = localStorage;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> extensions() {
        return EXTENSIONS;
    }

    @Override
    public RecordingReader open(FileAccess access, int maxOpenFiles) {
        return new OndaReader(access, access.isRemote() ? access::storage : localStorage);
    }
}
