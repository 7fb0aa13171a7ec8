package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RecordingFormat;
import dev.batcher.materializers.format.RecordingReader;
import java.util.List;


/**
 * HDF5 recordings ({@code .h5}, {@code .hdf5}) in the layout {@code docs/dataset-format.md} describes,
 * read through jhdf with a contiguous fast path ({@code Hdf5Reader}).
 */
public final class Hdf5Format implements RecordingFormat {
    /** The name {@code recordings.json} records. */
    public static final String NAME = "hdf5";
    /** The file-name extensions it claims (ignoring case). */
    private static final List<String> EXTENSIONS = List.of(".h5", ".hdf5");
    /**
     * The system property that turns the contiguous and chunked fast paths off when {@code false} (they are on unless
     * the property says {@code false}); read when a format is created with {@link #Hdf5Format()}.
     */
    public static final String FAST_PATH_PROPERTY = "batcher.hdf5.contiguousFastPath";

    private final boolean fastPath;

    /** The format with the contiguous fast path as {@value #FAST_PATH_PROPERTY} says (on by default). */
    public Hdf5Format() {
        this(!"false".equalsIgnoreCase(System.getProperty(FAST_PATH_PROPERTY, "true").trim()));
    }

    /**
     * The format with the contiguous fast path on or off, whatever the property says.
     *
     * @param fastPath whether contiguous datasets are read without jhdf's slicing and chunked ones chunk by chunk through the chunk cache
     */
    public Hdf5Format(boolean fastPath) {
        this.fastPath = fastPath;
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
        return new Hdf5Reader(access, maxOpenFiles, fastPath);
    }

    /** Returns {@code Hdf5Format[fastPath=...]}. */
    @Override
    public String toString() {
        return "Hdf5Format[fastPath=" + fastPath + "]";
    }
}
