package dev.batcher.materializers.edf;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RecordingFormat;
import dev.batcher.materializers.format.RecordingReader;
import java.util.List;


/**
 * EDF, EDF+C (16-bit) and BDF, BDF+C (24-bit) recordings ({@code .edf}, {@code .bdf}), read in place.
 * Each sample rate of a file is one signal dataset named {@code /<rate>Hz} (for example {@code /100Hz},
 * {@code /0.5Hz}); the annotation signal is never one. See {@code docs/dataset-format.md}.
 */
public final class EdfFormat implements RecordingFormat {
    /** The name {@code recordings.json} records. */
    public static final String NAME = "edf";
    /** The file-name extensions it claims (ignoring case). */
    private static final List<String> EXTENSIONS = List.of(".edf", ".bdf");

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
        return new EdfReader(access, maxOpenFiles);
    }

    /** Returns {@code EdfFormat}. */
    @Override
    public String toString() {
        return "EdfFormat";
    }
}
