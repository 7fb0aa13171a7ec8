package dev.batcher.materializers.format;

import dev.batcher.materializers.format.RecordingReadException.Reason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which format reads each file of a {@link RecordingFiles}, and the readers it opened (one per format). */
final class Readers {
    private final FileAccess access;
    private final RecordingFormats formats;
    private final int maxOpenFiles;
    private final ConcurrentHashMap<String, RecordingReader> opened = new ConcurrentHashMap<>();
    /** The format recorded for a file at index time, by file name. */
    private final ConcurrentHashMap<String, RecordingFormat> recorded = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Readers(FileAccess access, RecordingFormats formats, int maxOpenFiles) {
        this.access = access;
        this.formats = formats;
        this.maxOpenFiles = maxOpenFiles;
    }

    RecordingFormats formats() {
        return formats;
    }

    /** Returns the recorded format of a file, else the first that claims its name; fails if none does. */
    RecordingFormat format(String file) {
        RecordingFormat f = recorded.get(file);
        if (f == null) {
            f = formats.claiming(file);
        }
        if (f == null) {
            List<String> names = new ArrayList<>();
            formats.formats().forEach(x -> names.add(x.name()));
            throw new RecordingReadException(Reason.UNREADABLE, file, null, null,
                    "format: none claims this name (expected: a file of one of the formats " + names
                            + ", for example .h5, .hdf5, .edf or .bdf)", null);
        }
        return f;
    }

    /** Returns the format of a name; fails naming {@code file} (or none) if there is none. */
    RecordingFormat named(String name, String file) {
        RecordingFormat f = formats.named(name);
        if (f == null) {
            throw new IllegalArgumentException("format: '" + name + "'" + (file == null ? "" : " of " + file)
                    + " (expected: one of " + formats.formats().stream().map(RecordingFormat::name).toList() + ")");
        }
        return f;
    }

    void record(String file, RecordingFormat format) {
        recorded.putIfAbsent(file, format);
    }

    /** Returns the reader of a format, opened on first use. */
    RecordingReader reader(RecordingFormat f) {
        if (closed) {
            throw new IllegalStateException("RecordingFiles: closed (expected: open)");
        }
        RecordingReader r = opened.computeIfAbsent(f.name(), n -> f.open(access, maxOpenFiles));
        if (closed) {
            r.close();
            throw new IllegalStateException("RecordingFiles: closed (expected: open)");
        }
        return r;
    }

    Map<String, RecordingReader> opened() {
        return Map.copyOf(opened);
    }

    void close() {
        closed = true;
        opened.values().forEach(RecordingReader::close);
    }
}
