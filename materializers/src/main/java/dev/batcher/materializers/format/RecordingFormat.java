package dev.batcher.materializers.format;

import java.util.List;

/**
 * One file format recordings may be stored in (HDF5, EDF/BDF, ...): which files it claims and how to
 * open a reader of them. Implementations are immutable and thread-safe; {@link RecordingFiles} holds
 * an ordered list of them ({@link RecordingFormats}) and gives each file to the first format that
 * claims it, or to the format {@code recordings.json} names for it.
 */
public interface RecordingFormat {
    /**
     * Returns the format's name as {@code recordings.json} records it, for example {@code hdf5} or
     * {@code edf}: lower case, stable across versions.
     */
    String name();

    /**
     * Returns the file-name extensions this format claims, lower case with their dot, for example
     * {@code [".edf", ".bdf"]}; matched ignoring case, the longest first where two match.
     */
    List<String> extensions();

    /**
     * Tells whether this format reads {@code file}, from its name alone (one of {@link #extensions()},
     * case insensitive). The reader checks the file's signature ("magic") when it opens it, and fails with
     * {@link RecordingReadException.Reason#UNREADABLE} naming what it expected.
     *
     * @param file a file name relative to the dataset, with forward slashes
     * @return true if files of that name are this format's
     */
    default boolean claims(String file) {
        return FileNames.hasExtension(file, extensions().toArray(String[]::new));
    }

    /**
     * Returns the default recording id of a file of this format: its name without the format's
     * extension, for example {@code site2/night2} for {@code site2/night2.h5}.
     *
     * @param file a file name relative to the dataset, with forward slashes
     * @return the recording id used when the file names none
     */
    default String defaultRecording(String file) {
        return FileNames.withoutExtension(file, extensions().toArray(String[]::new));
    }

    /**
     * Opens a reader of this format's files through {@code access} (one reader per
     * {@link RecordingFiles}, shared by every thread that reads it).
     *
     * @param access the dataset's files: name resolution, local paths or ranged reads of objects
     * @param maxOpenFiles how many files the reader may keep open ({@code >= 1})
     * @return the reader; {@link RecordingFiles} closes it
     */
    RecordingReader open(FileAccess access, int maxOpenFiles);
}
