package dev.batcher.materializers.dataset;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes {@code labeled_signals.csv}: a header line, then one row per labeled signal.
 * Fields holding a comma, a double quote or surrounding spaces are double-quoted (RFC 4180, one line
 * per row); unquoted fields are trimmed. A leading UTF-8 byte order mark and blank lines are ignored.
 */
final class LabeledSignalTable {
    static final String NAME = "labeled_signals.csv";
    static final List<String> HEADER = List.of("recording", "file", "signal", "labels", "signal_start_ns",
            "signal_stop_ns", "label_start_ns", "label_stop_ns");

    private LabeledSignalTable() {
    }

    /** One parsed row; {@code line} is its 1-based line number in the file (the header is line 1). */
    record Row(int line, String recording, String file, String signal, String labels, long signalStart,
               long signalStop, long labelStart, long labelStop) {
    }

    /**
     * Reads every row, checking the header, the column count, non-empty names and integer spans.
     *
     * @throws DatasetException naming the line, the column and the value
     */
    static List<Row> read(Path table) {
        try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.UTF_8)) {
            return read(table.toString(), reader);
        } catch (IOException e) {
            throw new DatasetException(table + ": unreadable (expected: a readable UTF-8 text file): " + e, e);
        }
    }

    /**
     * Reads every row of a table given as text (an object's bytes), checking as {@link #read(Path)}.
     *
     * @param table what to call the table in messages, for example {@code s3://bucket/ds/labeled_signals.csv}
     * @param text the table's bytes, UTF-8
     * @throws DatasetException naming the line, the column and the value
     */
    static List<Row> read(String table, byte[] text) {
        try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(
                new java.io.ByteArrayInputStream(text), StandardCharsets.UTF_8))) {
            return read(table, reader);
        } catch (IOException e) {
            throw new DatasetException(table + ": unreadable (expected: UTF-8 text): " + e, e);
        }
    }

    private static List<Row> read(String table, BufferedReader reader) throws IOException {
        List<Row> rows = new ArrayList<>();
        {
            String line = reader.readLine();
            int number = 1;
            if (line == null) {
                throw new DatasetException(table + ": empty (expected: the header line " + String.join(",", HEADER) + ")");
            }
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            List<String> header = split(line, table, number);
            if (!header.equals(HEADER)) {
                throw new DatasetException(table + " line 1: header: " + line + " (expected: " + String.join(",", HEADER) + ")");
            }
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                rows.add(parse(split(line, table, number), table, number));
            }
        }
        return rows;
    }

    private static Row parse(List<String> fields, String table, int line) {
        if (fields.size() != HEADER.size()) {
            throw new DatasetException(where(table, line) + "columns: " + fields.size() + " (expected: "
                    + HEADER.size() + ": " + String.join(",", HEADER) + ")");
        }
        for (int i = 0; i < 4; i++) {
            if (fields.get(i).isEmpty()) {
                throw new DatasetException(where(table, line) + HEADER.get(i) + ": '' (expected: non-empty)");
            }
        }
        long[] spans = new long[4];
        for (int i = 0; i < 4; i++) {
            String value = fields.get(4 + i);
            try {
                spans[i] = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new DatasetException(where(table, line) + HEADER.get(4 + i) + ": '" + value
                        + "' (expected: an integer number of nanoseconds)");
            }
        }
        return new Row(line, fields.get(0), fields.get(1), fields.get(2), fields.get(3),
                spans[0], spans[1], spans[2], spans[3]);
    }

    static String where(Object table, int line) {
        return table + " line " + line + ": ";
    }

    /** Splits one CSV line into fields; quoted fields may hold commas and doubled quotes. */
    static List<String> split(String line, String table, int number) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            int start = i;
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new DatasetException(where(table, number) + "quoted field: unterminated (expected: a closing \")");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                while (i < n && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new DatasetException(where(table, number) + "quoted field: text after the closing quote"
                            + " at column " + (i + 1) + " (expected: a comma)");
                }
                fields.add(field.toString());
            } else {
                i = start;
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                fields.add(line.substring(i, end).trim());
                i = end;
            }
            if (i >= n) {
                return fields;
            }
            i++; // the comma
            if (i == n) {
                fields.add("");
                return fields;
            }
        }
    }

    /**
     * Writes the table atomically: to a temporary file in {@code dir}, then moved over {@code dir/NAME}.
     *
     * @throws DatasetException if a name holds a line break or the file cannot be written
     */
    static Path write(Path dir, List<LabeledSignal> signals) {
        return writeText(dir, NAME, text(signals));
    }

    /** Returns the table's text for {@code signals}, header first. */
    static String text(List<LabeledSignal> signals) {
        StringBuilder text = new StringBuilder(String.join(",", HEADER)).append('\n');
        for (LabeledSignal s : signals) {
            text.append(quote(s.recording())).append(',')
                    .append(quote(s.file())).append(',')
                    .append(quote(s.signal().dataset())).append(',')
                    .append(quote(s.labels().dataset())).append(',')
                    .append(s.signalSpan().startNanos()).append(',')
                    .append(s.signalSpan().stopNanos()).append(',')
                    .append(s.labelSpan().startNanos()).append(',')
                    .append(s.labelSpan().stopNanos()).append('\n');
        }
        return text.toString();
    }

    /**
     * Writes a text file atomically: to a temporary file in {@code dir}, then moved over {@code dir/name}.
     *
     * @throws DatasetException if the file cannot be written
     */
    static Path writeText(Path dir, String name, String text) {
        Path target = dir.resolve(name);
        Path temp = null;
        try {
            // Not Files.createTempFile: it makes the file owner-only (0600) whatever the umask, and a
            // daemon running as another user could not read the table. A file created plainly gets the
            // umask's permissions, like the recordings beside it.
            temp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try (BufferedWriter writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(text);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            return target;
        } catch (IOException e) {
            throw new DatasetException(target + ": not written (expected: a writable dataset directory): " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort: the temporary file is hidden and named as such.
                }
            }
        }
    }

    static String quote(String field) {
        if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
            throw new DatasetException(NAME + ": field: '" + field.replace("\n", "\\n").replace("\r", "\\r")
                    + "' (expected: no line breaks in recording ids, file names or dataset paths)");
        }
        boolean needsQuotes = field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || !field.equals(field.trim());
        return needsQuotes ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }
}
