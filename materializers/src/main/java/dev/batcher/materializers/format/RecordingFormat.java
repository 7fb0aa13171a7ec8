package dev.batcher.materializers.format;

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
     * Tells whether this format reads {@code file}, from its name alone (the extension, case
     * insensitive). The reader checks the file's signature ("magic") when it opens it, and fails with
     * {@link RecordingReadException.Reason#UNREADABLE} naming what it expected.
     *
     * @param file a file name relative to the dataset, with forward slashes
     * @return true if files of that name are this format's
     */
    boolean claims(String file);

    /**
     * Returns the default recording id of a file of this format: its name without the format's
     * extension, for example {@code site2/night2} for {@code site2/night2.h5}.
     *
     * @param file a file name relative to the dataset, with forward slashes
     * @return the recording id used when the file names none
     */
    String defaultRecording(String file);

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
