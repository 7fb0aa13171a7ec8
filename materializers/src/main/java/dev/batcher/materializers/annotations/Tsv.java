package dev.batcher.materializers.annotations;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A BIDS tab-separated table: a header row of column names, then rows of as many fields. A leading
 * byte-order mark, {@code \r\n} line ends and blank lines are accepted.
 *
 * @param source the file, for messages
 * @param header the column names
 * @param rows the rows, each with its 1-based line number
 */
record Tsv(String source, List<String> header, List<Row> rows) {

    /** One row and where it was. */
    record Row(int line, List<String> fields) {
    }

    static Tsv read(InputStream in, String source) {
        List<String> header = null;
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int line = 0;
            for (String text = r.readLine(); text != null; text = r.readLine()) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                List<String> fields = List.of(text.split("\t", -1));
                if (header == null) {
                    header = fields.stream().map(String::strip).toList();
                } else if (fields.size() != header.size()) {
                    throw new AnnotationException(source + " line " + line + ": " + fields.size() + " fields (expected: "
                            + header.size() + ", one per column of the header " + header + ", separated by tabs)");
                } else {
                    rows.add(new Row(line, fields));
                }
            }
        } catch (IOException e) {
            throw new AnnotationException(source + ": cannot be read: " + e.getMessage(), e);
        }
        if (header == null) {
            throw new AnnotationException(source + ": empty (expected: a header row of tab-separated column names)");
        }
        return new Tsv(source, header, rows);
    }

    /** Returns the index of a column, or -1. */
    int column(String name) {
        return header.indexOf(name);
    }

    /** Returns the index of a column that must be there. */
    int required(String name, String why) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new AnnotationException(source + " line 1: column " + name + ": missing (expected: " + why
                    + "; the header has " + header + ")");
        }
        return i;
    }
}
