package dev.batcher.materializers.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code recordings.json}: what index time learned about every file of a dataset, so that readers
 * need not open the files to know it. Written by {@link DatasetIndexer} beside
 * {@code labeled_signals.csv}; read by {@link Dataset#load} for object-storage datasets, where opening
 * a file would mean fetching it, and for local ones where a file's format and its label grids built
 * from annotation files are kept. Per file: the recording id, its format ({@code hdf5}, {@code edf}...),
 * the object's ETag (null for local files) and size, and per signal and label dataset its metadata and,
 * when contiguous, its {@link StorageLayout}; a label grid built at index time carries its
 * {@code values}. The format is described in {@code docs/dataset-format.md}.
 */
final class Manifest {
    static final String NAME = "recordings.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A dataset of a file with its layout (null if not contiguous). */
    record Entry<T>(T info, StorageLayout layout) {
    }

    /**
     * One file.
     *
     * @param format the format's name, or null if not recorded (then the file's extension decides)
     * @param grids label grids built at index time from annotation files, by dataset name
     */
    record FileEntry(String recording, String format, String etag, long size, Map<String, Entry<SignalInfo>> signals,
                     Map<String, Entry<LabelInfo>> labels, Map<String, LabelGrid> grids) {
        FileEntry {
            grids = grids == null ? Map.of() : grids;
        }
    }

    private Manifest() {
    }

    static String write(Map<String, FileEntry> files) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode fs = root.putObject("files");
        for (Map.Entry<String, FileEntry> f : files.entrySet()) {
            ObjectNode o = fs.putObject(f.getKey());
            FileEntry e = f.getValue();
            o.put("recording", e.recording());
            if (e.format() != null) {
                o.put("format", e.format());
            }
            if (e.etag() == null) {
                o.putNull("etag");
            } else {
                o.put("etag", e.etag());
            }
            o.put("size", e.size());
            ArrayNode signals = o.putArray("signals");
            for (Entry<SignalInfo> s : e.signals().values()) {
                SignalInfo i = s.info();
                ObjectNode n = signals.addObject();
                n.put("dataset", i.dataset());
                n.put("type", i.type().name().toLowerCase(java.util.Locale.ROOT));
                i.channels().forEach(n.putArray("channels")::add);
                n.put("sample_rate", i.sampleRate());
                n.put("resolution", i.resolution());
                n.put("offset", i.offset());
                n.put("unit", i.unit());
                n.put("start_ns", i.startNanos());
                n.put("samples", i.samples());
                if (!i.kinds().isEmpty()) {
                    i.kinds().forEach(n.putArray("kinds")::add);
                }
                layout(n, s.layout());
            }
            ArrayNode labels = o.putArray("labels");
            for (Entry<LabelInfo> l : e.labels().values()) {
                LabelInfo i = l.info();
                ObjectNode n = labels.addObject();
                n.put("dataset", i.dataset());
                i.channels().forEach(n.putArray("channels")::add);
                n.put("sample_rate", i.sampleRate());
                n.put("start_ns", i.startNanos());
                n.put("samples", i.samples());
                i.encoding().forEach(n.putArray("encoding")::add);
                layout(n, l.layout());
            }
            for (LabelGrid g : e.grids().values()) {
                LabelInfo i = g.info();
                ObjectNode n = labels.addObject();
                n.put("dataset", i.dataset());
                i.channels().forEach(n.putArray("channels")::add);
                n.put("sample_rate", i.sampleRate());
                n.put("start_ns", i.startNanos());
                n.put("samples", i.samples());
                i.encoding().forEach(n.putArray("encoding")::add);
                n.putNull("layout");
                ArrayNode rows = n.putArray("values");
                for (int[] row : g.values()) {
                    ArrayNode r = rows.addArray();
                    for (int v : row) {
                        r.add(v);
                    }
                }
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("recordings.json: not serialisable (expected: plain values)", e);
        }
    }

    private static void layout(ObjectNode n, StorageLayout layout) {
        if (layout == null) {
            n.putNull("layout");
            return;
        }
        ObjectNode l = n.putObject("layout");
        l.put("offset", layout.offset());
        l.put("dtype", layout.dtype());
        l.putArray("shape").add(layout.rows()).add(layout.columns());
    }

    /**
     * Parses the manifest.
     *
     * @param name what to call it in messages
     * @param bytes its UTF-8 JSON
     * @throws DatasetException naming the file, the entry and the field that is missing or wrong
     */
    static Map<String, FileEntry> read(String name, byte[] bytes) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new DatasetException(name + ": not JSON (expected: the recordings.json bin/batcher index writes): "
                    + e.getMessage(), e);
        }
        if (root == null || root.path("format").asInt(-1) != FORMAT || !root.path("files").isObject()) {
            throw new DatasetException(name + ": format: " + (root == null ? "empty" : root.path("format"))
                    + " (expected: " + FORMAT + " with a \"files\" object; run bin/batcher index again)");
        }
        Map<String, FileEntry> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : root.path("files").properties()) {
            String at = name + ": files." + f.getKey() + ".";
            JsonNode o = f.getValue();
            try {
                Map<String, Entry<SignalInfo>> signals = new LinkedHashMap<>();
                for (JsonNode n : o.path("signals")) {
                    SignalInfo i = new SignalInfo(text(n, "dataset"),
                            SampleType.valueOf(text(n, "type").toUpperCase(java.util.Locale.ROOT)), strings(n, "channels"),
                            number(n, "sample_rate"), number(n, "resolution"), number(n, "offset"), text(n, "unit"),
                            integer(n, "start_ns"), integer(n, "samples"),
                            n.has("kinds") ? strings(n, "kinds") : List.of());
                    signals.put(i.dataset(), new Entry<>(i, layout(n)));
                }
                Map<String, Entry<LabelInfo>> labels = new LinkedHashMap<>();
                Map<String, LabelGrid> grids = new LinkedHashMap<>();
                for (JsonNode n : o.path("labels")) {
                    LabelInfo i = new LabelInfo(text(n, "dataset"), strings(n, "channels"), number(n, "sample_rate"),
                            integer(n, "start_ns"), integer(n, "samples"), strings(n, "encoding"));
                    if (n.has("values")) {
                        grids.put(i.dataset(), new LabelGrid(i, values(n.path("values"))));
                    } else {
                        labels.put(i.dataset(), new Entry<>(i, layout(n)));
                    }
                }
                String etag = o.path("etag").isTextual() ? o.path("etag").asText() : null;
                String format = o.path("format").isTextual() ? o.path("format").asText() : null;
                out.put(f.getKey(), new FileEntry(text(o, "recording"), format, etag, integer(o, "size"), signals,
                        labels, grids));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new DatasetException(at + e.getMessage() + " (expected: the recordings.json bin/batcher index "
                        + "writes; run it again)", e);
            }
        }
        return out;
    }

    private static int[][] values(JsonNode v) {
        if (!v.isArray()) {
            throw new IllegalArgumentException("values: " + v + " (expected: an array of label rows)");
        }
        int[][] out = new int[v.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonNode row = v.get(r);
            if (!row.isArray()) {
                throw new IllegalArgumentException("values[" + r + "]: " + row + " (expected: an array of integers)");
            }
            out[r] = new int[row.size()];
            for (int c = 0; c < out[r].length; c++) {
                JsonNode x = row.get(c);
                if (!x.isInt()) {
                    throw new IllegalArgumentException("values[" + r + "][" + c + "]: " + x + " (expected: an integer)");
                }
                out[r][c] = x.asInt();
            }
        }
        return out;
    }

    private static StorageLayout layout(JsonNode n) {
        JsonNode l = n.path("layout");
        if (l.isNull() || l.isMissingNode()) {
            return null;
        }
        JsonNode shape = l.path("shape");
        if (!shape.isArray() || shape.size() != 2) {
            throw new IllegalArgumentException("layout.shape: " + shape + " (expected: [rows, columns])");
        }
        return new StorageLayout(integer(l, "offset"), text(l, "dtype"), shape.get(0).asLong(), shape.get(1).asLong());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: a string)");
        }
        return v.asText();
    }

    private static double number(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: a number)");
        }
        return v.asDouble();
    }

    private static long integer(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: an integer)");
        }
        return v.asLong();
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isArray()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: an array of strings)");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            out.add(s.asText());
        }
        return out;
    }
}
