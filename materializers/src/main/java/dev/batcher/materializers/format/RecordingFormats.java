package dev.batcher.materializers.format;

import dev.batcher.materializers.edf.EdfFormat;
import dev.batcher.materializers.hdf5.Hdf5Format;
import dev.batcher.materializers.onda.OndaFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The formats a {@link RecordingFiles} reads, in order: a file goes to the format recorded for it in
 * {@code recordings.json}, else to the first format that {@link RecordingFormat#claims} its name.
 *
 * @param formats the formats, names all different
 */
public record RecordingFormats(List<RecordingFormat> formats) {
    /**
     * Checks the list.
     *
     * @throws IllegalArgumentException if it is empty or two formats share a name
     */
    public RecordingFormats {
        formats = List.copyOf(formats);
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("formats: [] (expected: at least one format)");
        }
        List<String> names = new ArrayList<>();
        for (RecordingFormat f : formats) {
            if (names.contains(f.name())) {
                throw new IllegalArgumentException("formats: " + f.name() + " twice (expected: distinct names)");
            }
            names.add(f.name());
        }
    }

    /**
     * Returns every format this module reads: HDF5 ({@code .h5}, {@code .hdf5}), EDF/BDF ({@code .edf},
     * {@code .bdf}) and the sample files of Onda datasets ({@code .lpcm}, {@code .lpcm.zst}).
     */
    public static RecordingFormats defaults() {
        return new RecordingFormats(List.of(new Hdf5Format(), new EdfFormat(), new OndaFormat()));
    }

    /**
     * Returns these formats with {@code format} in place of the one of the same name (or added last).
     *
     * @param format the format
     * @return the new list
     */
    public RecordingFormats with(RecordingFormat format) {
        Objects.requireNonNull(format, "format");
        List<RecordingFormat> out = new ArrayList<>(formats);
        int at = -1;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).name().equals(format.name())) {
                at = i;
            }
        }
        if (at >= 0) {
            out.set(at, format);
        } else {
            out.add(format);
        }
        return new RecordingFormats(out);
    }

    /**
     * Returns the format that claims a file name, or null if none does.
     *
     * @param file the file name
     * @return the format or null
     */
    public RecordingFormat claiming(String file) {
        for (RecordingFormat f : formats) {
            if (f.claims(file)) {
                return f;
            }
        }
        return null;
    }

    /**
     * Returns the format of a name, or null.
     *
     * @param name for example {@code edf}
     * @return the format or null
     */
    public RecordingFormat named(String name) {
        for (RecordingFormat f : formats) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
