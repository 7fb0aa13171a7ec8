package dev.batcher.materializers.onda;

import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.StorageException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the two Onda tables into checked rows: {@code onda.signal@2} (or {@code @1}) and
 * {@code onda.annotation@1} plus a label column. Columns may come in any order; other columns are
 * ignored, as Legolas allows.
 */
final class OndaTables {
    static final String SIGNAL_V2 = "onda.signal@2";
    static final String SIGNAL_V1 = "onda.signal@1";
    static final String ANNOTATION_V1 = "onda.annotation@1";
    /** The Legolas table metadata key naming the schema, for example {@code onda.signal@2}. */
    static final String LEGOLAS_KEY = "legolas_schema_qualified";

    private OndaTables() {
    }

    /**
     * Reads a signals table.
     *
     * @param bytes the table file
     * @param table what to call it in messages (its path or {@code s3://} name)
     * @param dataset the dataset, which every {@code file_path} must lie in
     * @param tableDir the table's directory relative to the dataset ("" at its top), which relative
     *     {@code file_path}s start from
     * @return the rows, in table order
     * @throws OndaException for a malformed table, a missing or ill-typed column, a bad cell, a
     *     {@code file_path} outside the dataset, or two rows naming one file
     */
    static List<OndaSignal> signals(byte[] bytes, String table, DatasetLocation dataset, String tableDir) {
        List<OndaSignal> out = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowIpcReader reader = new ArrowIpcReader(bytes, table, allocator)) {
            String schema = schemaOf(reader, table, "onda.signal", reader.schema().getFields().stream()
                    .anyMatch(f -> f.getName().equals("kind")) ? SIGNAL_V1 : SIGNAL_V2);
            boolean v1 = schema.equals(SIGNAL_V1);
            Columns c = new Columns(reader, table);
            String typeColumn = v1 ? "kind" : "sensor_type";
            c.require("recording", Columns.Kind.UUID, schema);
            c.require("file_path", Columns.Kind.TEXT, schema);
            c.require("file_format", Columns.Kind.TEXT, schema);
            c.require("span", Columns.Kind.SPAN, schema);
            c.require(typeColumn, Columns.Kind.TEXT, schema);
            if (!v1) {
                c.require("sensor_label", Columns.Kind.TEXT, schema);
            }
            c.require("channels", Columns.Kind.TEXT_LIST, schema);
            c.require("sample_unit", Columns.Kind.TEXT, schema);
            c.require("sample_resolution_in_unit", Columns.Kind.NUMBER, schema);
            c.require("sample_offset_in_unit", Columns.Kind.NUMBER, schema);
            c.require("sample_type", Columns.Kind.TEXT, schema);
            c.require("sample_rate", Columns.Kind.NUMBER, schema);
            Map<String, Integer> files = new HashMap<>();
            int base = 0;
            while (reader.next()) {
                c.base(base);
                for (int row = 0; row < reader.rows(); row++) {
                    OndaSignal s = signal(c, row, v1, typeColumn, dataset, tableDir);
                    Integer other = files.putIfAbsent(s.file(), base + row);
                    if (other != null) {
                        throw c.bad("file_path", row, "'" + s.filePath() + "'", "a file of its own (row " + other
                                + " names the same file " + s.file() + "; Onda requires unique file paths)");
                    }
                    out.add(s);
                }
                base += reader.rows();
            }
        }
        return out;
    }

    private static OndaSignal signal(Columns c, int row, boolean v1, String typeColumn, DatasetLocation dataset,
                                     String tableDir) {
        String recording = c.uuid("recording", row);
        String filePath = c.text("file_path", row);
        String formatName = c.text("file_format", row);
        OndaSignal.Format format = OndaSignal.Format.parse(formatName);
        if (format == null) {
            throw c.bad("file_format", row, "'" + formatName + "'", "lpcm or lpcm.zst, the formats every Onda reader supports");
        }
        TimeSpan span = c.span("span", row);
        String sensorType = c.text(typeColumn, row);
        String sensorLabel = v1 ? sensorType : c.text("sensor_label", row);
        List<String> channels = c.texts("channels", row);
        if (channels.isEmpty()) {
            throw c.bad("channels", row, "[]", "at least one channel name");
        }
        Set<String> seen = new HashSet<>();
        for (String ch : channels) {
            if (!seen.add(ch)) {
                throw c.bad("channels", row, channels.toString(), "distinct channel names ('" + ch + "' twice)");
            }
        }
        String unit = c.text("sample_unit", row);
        double resolution = c.number("sample_resolution_in_unit", row);
        if (!Double.isFinite(resolution) || resolution == 0) {
            throw c.bad("sample_resolution_in_unit", row, Double.toString(resolution), "a finite number other than 0");
        }
        double offset = c.number("sample_offset_in_unit", row);
        if (!Double.isFinite(offset)) {
            throw c.bad("sample_offset_in_unit", row, Double.toString(offset), "a finite number");
        }
        String typeName = c.text("sample_type", row);
        LpcmType type = LpcmType.parse(typeName);
        if (type == null) {
            throw c.bad("sample_type", row, "'" + typeName + "'", "one of " + LpcmType.names());
        }
        double rate = c.number("sample_rate", row);
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw c.bad("sample_rate", row, Double.toString(rate), "a number > 0, samples per second");
        }
        if (OndaSignal.samplesIn(span.durationNanos(), rate) < 1) {
            throw c.bad("span", row, "(start=" + span.startNanos() + ", stop=" + span.stopNanos() + ") ns",
                    "a span of at least one sample at sample_rate " + rate);
        }
        String file = resolve(c, row, filePath, dataset, tableDir);
        return new OndaSignal(recording, filePath, file, format, span, sensorType, sensorLabel, channels, unit,
                resolution, offset, type, rate);
    }

    /**
     * Resolves a {@code file_path} to a name relative to the dataset: a path relative to the table's
     * directory, an absolute path or {@code file://} URI inside a local dataset, or an {@code s3://} URI
     * inside an S3 dataset's prefix. Anything else is refused through {@link DatasetRoots}.
     */
    static String resolve(Columns c, int row, String filePath, DatasetLocation dataset, String tableDir) {
        String relative;
        String lower = filePath.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith(DatasetLocation.S3_SCHEME)) {
            String inside = dataset.isS3() ? DatasetLocation.S3_SCHEME + dataset.bucket() + "/"
                    + (dataset.prefix().isEmpty() ? "" : dataset.prefix() + "/") : null;
            if (inside == null || !filePath.startsWith(inside)) {
                throw c.bad("file_path", row, "'" + filePath + "'", "a file inside the dataset " + dataset
                        + " (a path relative to the table, or a URI under the dataset)");
            }
            relative = filePath.substring(inside.length());
        } else if (lower.startsWith("file://") || filePath.startsWith("/")) {
            String path = lower.startsWith("file://") ? filePath.substring("file://".length()) : filePath;
            Path p = Path.of(path).normalize();
            if (dataset.isS3() || !p.startsWith(dataset.local())) {
                throw c.bad("file_path", row, "'" + filePath + "'", "a file inside the dataset " + dataset
                        + " (a path relative to the table, or a URI under the dataset)");
            }
            relative = dataset.local().relativize(p).toString().replace('\\', '/');
        } else if (filePath.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw c.bad("file_path", row, "'" + filePath + "'", "a path relative to the table, or an s3:// or file:// URI");
        } else {
            relative = normalize(tableDir.isEmpty() ? filePath : tableDir + "/" + filePath);
        }
        try {
            return DatasetRoots.checkRelative(relative);
        } catch (StorageException e) {
            throw c.bad("file_path", row, "'" + filePath + "'", "a file inside the dataset " + dataset + "; "
                    + e.getMessage());
        }
    }

    /** Folds {@code .} and {@code ..} segments; a {@code ..} that climbs above the start is kept (and refused later). */
    private static String normalize(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.replace('\\', '/').split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /**
     * Reads an annotations table with the label text in {@code valueColumn}.
     *
     * @param bytes the table file
     * @param table what to call it in messages
     * @param valueColumn the text column holding each annotation's label, for example {@code value}
     * @return the rows, in table order
     * @throws OndaException for a malformed table, a missing or ill-typed column, a bad cell or a
     *     duplicate {@code id}
     */
    static List<OndaAnnotation> annotations(byte[] bytes, String table, String valueColumn) {
        List<OndaAnnotation> out = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowIpcReader reader = new ArrowIpcReader(bytes, table, allocator)) {
            String schema = schemaOf(reader, table, "onda.annotation", ANNOTATION_V1);
            Columns c = new Columns(reader, table);
            c.require("recording", Columns.Kind.UUID, schema);
            c.require("id", Columns.Kind.UUID, schema);
            c.require("span", Columns.Kind.SPAN, schema);
            c.require(valueColumn, Columns.Kind.TEXT, "Batcher's label column '" + valueColumn + "'");
            Map<String, Integer> ids = new HashMap<>();
            int base = 0;
            while (reader.next()) {
                c.base(base);
                for (int row = 0; row < reader.rows(); row++) {
                    String id = c.uuid("id", row);
                    Integer other = ids.putIfAbsent(id, base + row);
                    if (other != null) {
                        throw c.bad("id", row, id, "a unique annotation id (row " + other + " has the same)");
                    }
                    out.add(new OndaAnnotation(c.uuid("recording", row), id, c.span("span", row), c.text(valueColumn, row),
                            table, base + row));
                }
                base += reader.rows();
            }
        }
        return out;
    }

    /**
     * Returns the table's schema version: its Legolas metadata if present (which must name
     * {@code family} version 1 or 2 for signals, 1 for annotations, possibly as the parent of an
     * extension such as {@code my.signal@1>onda.signal@2}), else {@code inferred}.
     */
    private static String schemaOf(ArrowIpcReader reader, String table, String family, String inferred) {
        String declared = reader.metadata().get(LEGOLAS_KEY);
        if (declared == null) {
            return inferred;
        }
        for (String part : declared.split(">")) {
            String s = part.trim();
            if (s.equals(SIGNAL_V2) || s.equals(SIGNAL_V1) || s.equals(ANNOTATION_V1)) {
                if (s.startsWith(family + "@")) {
                    return s;
                }
            }
        }
        String expected = family.equals("onda.signal") ? SIGNAL_V2 + " or " + SIGNAL_V1 : ANNOTATION_V1;
        throw new OndaException(table, LEGOLAS_KEY + ": '" + declared + "' (expected: " + expected
                + ", or a schema extending it)", null);
    }
}
