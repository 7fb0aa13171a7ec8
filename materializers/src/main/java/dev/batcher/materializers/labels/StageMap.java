package dev.batcher.materializers.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.annotations.BidsEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which class an annotation text means. Texts are compared trimmed, with runs of white space as one
 * space, ignoring case ({@code Sleep stage 2}, {@code sleep  stage 2 } are the same text).
 *
 * <p>The {@linkplain #aasm() built-in AASM map} has the classes {@code W, N1, N2, N3, R} (label values
 * 0 to 4, the encoding of the synthetic datasets and test fixtures) and knows the Sleep-EDF / EDF+
 * texts ({@code Sleep stage W/1/2/3/4/R}, R&amp;K 3 and 4 both N3), the AASM names ({@code W, N1, N2,
 * N3, R}, also as {@code Sleep stage N1}...), and the NSRR concepts ({@code Wake|0}, {@code Stage 1
 * sleep|1} ... {@code Stage 4 sleep|4}, {@code REM sleep|5}); movement time, {@code ?}, unscored and
 * BIDS {@code n/a} are "no stage" (-1). A JSON file ({@link #parse}) can add texts, change them,
 * ignore them (not stage annotations at all) or replace the whole map.
 */
public final class StageMap {
    /** The AASM classes: label value {@code i} means {@code AASM.get(i)}. */
    public static final List<String> AASM = List.of("W", "N1", "N2", "N3", "R");
    /** The class of a text that means "no stage here": its time gets label -1. */
    public static final int NO_STAGE = -1;
    private static final String BUILT_IN = "the built-in AASM map";
    private static final StageMap AASM_MAP = new StageMap(AASM, builtIn(), Set.of(), false, BUILT_IN);

    private final List<String> encoding;
    private final Map<String, Integer> classes;
    private final Set<String> ignored;
    private final boolean ignoreUnknown;
    private final String name;

    private StageMap(List<String> encoding, Map<String, Integer> classes, Set<String> ignored, boolean ignoreUnknown,
                     String name) {
        this.encoding = List.copyOf(encoding);
        this.classes = Map.copyOf(classes);
        this.ignored = Set.copyOf(ignored);
        this.ignoreUnknown = ignoreUnknown;
        this.name = name;
    }

    /** Returns the built-in AASM map. */
    public static StageMap aasm() {
        return AASM_MAP;
    }

    private static Map<String, Integer> builtIn() {
        Map<String, Integer> m = new LinkedHashMap<>();
        String[][] stages = {
            {"W", "Sleep stage W", "Wake", "Wake|0", "Sleep stage Wake"},
            {"N1", "Sleep stage 1", "Sleep stage N1", "Stage 1 sleep|1", "Stage 1", "S1"},
            {"N2", "Sleep stage 2", "Sleep stage N2", "Stage 2 sleep|2", "Stage 2", "S2"},
            {"N3", "Sleep stage 3", "Sleep stage 4", "Sleep stage N3", "Stage 3 sleep|3", "Stage 4 sleep|4",
                "Stage 3", "Stage 4", "S3", "S4"},
            {"R", "Sleep stage R", "Sleep stage REM", "REM", "REM sleep|5", "REM sleep"},
        };
        for (int c = 0; c < stages.length; c++) {
            for (String text : stages[c]) {
                m.put(key(text), c);
            }
        }
        for (String text : List.of("Sleep stage ?", "?", "Movement time", "Sleep stage M", "Movement|6", "Unscored|9",
                "Unscored", "Sleep stage unscored", BidsEvents.NA)) {
            m.put(key(text), NO_STAGE);
        }
        return m;
    }

    /**
     * Reads a stage map file ({@link #parse}).
     *
     * @param file the JSON file
     * @return the map
     * @throws LabelException if the file cannot be read or is not a valid stage map
     */
    public static StageMap load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new LabelException(file + ": cannot be read (expected: a stage map JSON file): " + e, e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses a stage map:
     * <pre>{@code
     * {
     *   "extends": "aasm",                        // or "none" (default "aasm")
     *   "encoding": ["W", "N1", "N2", "N3", "R"], // required with "none", must be left out with "aasm"
     *   "stages": {"Stage 2": "N2", "Artefact": -1},
     *   "ignore": ["Lights off"],
     *   "unknown": "error"                        // or "ignore" (default "error")
     * }
     * }</pre>
     * {@code stages} maps a text to a class of the encoding, or to -1 (no stage); it adds to, or
     * replaces entries of, the built-in map. {@code ignore} lists texts that are not stage
     * annotations at all. {@code unknown} says what a text in neither is: an error, or ignored.
     *
     * @param json the file's text
     * @param source the file, for messages
     * @return the map
     * @throws LabelException if the JSON is malformed or breaks the schema (naming the field, the value
     *     and what was expected)
     */
    public static StageMap parse(String json, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new LabelException(source + ": not valid JSON: " + e.getOriginalMessage() + " (expected: a stage map object)", e);
        }
        if (root == null || !root.isObject()) {
            throw new LabelException(source + ": " + (root == null ? "empty" : root.getNodeType())
                    + " (expected: a JSON object with stages, ignore, unknown, extends, encoding)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("extends", "encoding", "stages", "ignore", "unknown").contains(f)) {
                throw new LabelException(source + ": field " + f + ": unknown (expected: extends, encoding, stages, ignore, unknown)");
            }
        }
        String base = text(root, "extends", "aasm", source, List.of("aasm", "none"));
        List<String> encoding;
        Map<String, Integer> classes = new LinkedHashMap<>();
        if (base.equals("aasm")) {
            if (root.has("encoding")) {
                throw new LabelException(source + ": encoding: given with extends 'aasm' (expected: no encoding, the AASM map's "
                        + "is " + AASM + "; use \"extends\": \"none\" for another encoding)");
            }
            encoding = AASM;
            classes.putAll(builtIn());
        } else {
            encoding = strings(root.get("encoding"), "encoding", source, true);
            if (new LinkedHashSet<>(encoding).size() != encoding.size()) {
                throw new LabelException(source + ": encoding: " + encoding + " (expected: all names different)");
            }
        }
        Set<String> ignored = new LinkedHashSet<>();
        Set<String> mapped = new LinkedHashSet<>();
        JsonNode stages = root.get("stages");
        if (stages != null) {
            if (!stages.isObject()) {
                throw new LabelException(source + ": stages: " + stages + " (expected: an object of text: class)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = stages.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                classes.put(key(e.getKey()), classOf(e.getValue(), e.getKey(), encoding, source));
                mapped.add(key(e.getKey()));
            }
        }
        for (String t : strings(root.get("ignore"), "ignore", source, false)) {
            if (mapped.contains(key(t))) {
                throw new LabelException(source + ": ignore: '" + t + "' is also in stages (expected: each text in one of them)");
            }
            classes.remove(key(t));
            ignored.add(key(t));
        }
        boolean ignoreUnknown = text(root, "unknown", "error", source, List.of("error", "ignore")).equals("ignore");
        String name = "stage map " + source + (base.equals("aasm") ? " (on top of " + BUILT_IN + ")" : "");
        return new StageMap(encoding, classes, ignored, ignoreUnknown, name);
    }

    private static int classOf(JsonNode v, String text, List<String> encoding, String source) {
        if (v.isInt() && v.intValue() == NO_STAGE) {
            return NO_STAGE;
        }
        if (v.isTextual() && encoding.contains(v.textValue())) {
            return encoding.indexOf(v.textValue());
        }
        throw new LabelException(source + ": stages: '" + text + "': " + v + " (expected: a class of the encoding "
                + encoding + ", or -1 for no stage)");
    }

    private static String text(JsonNode root, String field, String fallback, String source, List<String> allowed) {
        JsonNode v = root.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual() || !allowed.contains(v.textValue())) {
            throw new LabelException(source + ": " + field + ": " + v + " (expected: one of " + allowed + ")");
        }
        return v.textValue();
    }

    private static List<String> strings(JsonNode v, String field, String source, boolean required) {
        List<String> out = new ArrayList<>();
        if (v == null && !required) {
            return out;
        }
        if (v == null || !v.isArray() || (required && v.isEmpty())) {
            throw new LabelException(source + ": " + field + ": " + v + " (expected: an array of strings"
                    + (required ? ", at least one" : "") + ")");
        }
        for (JsonNode e : v) {
            if (!e.isTextual() || e.textValue().isBlank()) {
                throw new LabelException(source + ": " + field + ": " + e + " (expected: a non-empty string)");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** Returns the class names: label value {@code i} means {@code encoding().get(i)}. */
    public List<String> encoding() {
        return encoding;
    }

    /** Returns what to call this map in messages: the built-in map, or the file and what it extends. */
    public String describe() {
        return name;
    }

    /**
     * Tells whether an annotation's text is a sleep stage of this map: a class of the encoding, not
     * "no stage", not ignored, not unknown. Never fails.
     *
     * @param annotation the annotation
     * @return true for a stage
     */
    public boolean isStage(Annotation annotation) {
        Integer c = classes.get(key(annotation.text()));
        return c != null && c != NO_STAGE;
    }

    /**
     * Returns the class an annotation means.
     *
     * @param annotation the annotation
     * @return the class (an index into {@link #encoding()}), {@link #NO_STAGE}, or empty if the text is
     *     not a stage annotation (ignored)
     * @throws LabelException if the map does not know the text and does not ignore unknown texts; the
     *     message names the annotation (file, place, onset, text) and the map
     */
    public OptionalInt classify(Annotation annotation) {
        String k = key(annotation.text());
        Integer c = classes.get(k);
        if (c != null) {
            return OptionalInt.of(c);
        }
        if (ignored.contains(k) || ignoreUnknown) {
            return OptionalInt.empty();
        }
        throw new LabelException(annotation.describe() + ": text '" + annotation.text() + "' is not in " + name
                + " (expected: a sleep stage it knows, such as 'Sleep stage 2', 'N2' or 'Stage 2 sleep|2'; to map or "
                + "ignore this text, list it under \"stages\" or \"ignore\" in a stage map file, see docs/dataset-format.md)");
    }

    private static String key(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
