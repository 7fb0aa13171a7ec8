package dev.batcher.materializers.format;

/**
 * Test access to the package-private seams of {@link RecordingFiles}, for the format packages' tests
 * (hdf5, edf, onda): the reader of a format, and the default recording id of a name.
 */
public final class FormatHooks {
    private FormatHooks() {
    }

    /**
     * Returns the reader of {@code format} behind {@code files}: the one already opened (still seen after
     * {@code files} closes), else one opened now.
     */
    public static RecordingReader reader(RecordingFiles files, String format) {
        RecordingReader opened = files.openReaders().get(format);
        return opened != null ? opened : files.readerOf(format);
    }

    /**
     * Returns the default recording id of a file name: the name (normalised, forward slashes) without
     * the extension of the default format that claims it ({@code .h5}, {@code .hdf5}, {@code .edf},
     * {@code .bdf}), for example {@code site2/night2} for {@code site2/night2.hdf5}.
     */
    public static String defaultRecording(String file) {
        String name = FileNames.normalizeName(file);
        RecordingFormat f = RecordingFormats.defaults().claiming(name);
        return f == null ? name : f.defaultRecording(name);
    }
}
