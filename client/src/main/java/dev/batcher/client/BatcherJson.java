package dev.batcher.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON form of the API's value types, shared by the client, the daemon and config files:
 * {@link BatcherSpec} (with its polymorphic {@link dev.batcher.api.SourceConfig},
 * chosen by the {@code type} field, and {@link dev.batcher.api.MaterializeOptions}),
 * {@link BatcherStatus} and {@link Failure}. Field names are the record components' names
 * (camelCase); null fields are left out; unknown fields are ignored when reading, so that the
 * daemon can add fields without breaking older clients (section 10 of {@code docs/protocol.md}),
 * except in files a user wrote ({@link #readFile}), where a misspelt field is an error.
 * Enums ({@link Status}) are written by name, such as {@code "RUNNING"}.
 *
 * <p>This is the one place where JSON becomes values: every reading method reports a bad value as
 * an {@link InvalidJsonException}, {@code field: value (expected: ...)} with the field's path, and
 * never with the parser's internals.
 *
 * <p>Thread-safe: every method uses one configured, immutable-after-construction mapper.
 */
public final class BatcherJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.NON_NULL))
            .build();
    /** For files users write: the same, but a misspelt field is an error rather than ignored. */
    private static final ObjectMapper STRICT = MAPPER.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private BatcherJson() {
    }

    /**
     * Returns a copy of the mapper, configured as described above, for code that needs Jackson's
     * full API (streaming, other types). Changing the copy does not change this class.
     *
     * @return a new mapper
     */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    /**
     * Converts a value to a JSON tree.
     *
     * @param value a spec, status or other value
     * @return its tree; a JSON null for a null value
     * @throws IllegalArgumentException if Jackson cannot serialise the value
     */
    public static JsonNode toTree(Object value) {
        try {
            return MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("value: " + value + " (expected: a value Jackson can "
                    + "serialise: " + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads a value from a JSON tree.
     *
     * @param <T> the type to read
     * @param tree the tree, for example a field of a frame header
     * @param type the class to read, such as {@code BatcherSpec.class}
     * @return the value; null for a JSON null
     * @throws NullPointerException if an argument is null
     * @throws InvalidJsonException if the tree is not a valid {@code type}; the message names the
     *     field, its value and what was expected
     */
    public static <T> T fromTree(JsonNode tree, Class<T> type) {
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(type, "type");
        return fromTree(MAPPER, tree, type);
    }

    private static <T> T fromTree(ObjectMapper mapper, JsonNode tree, Class<T> type) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw invalid(e, tree, type);
        } catch (IllegalArgumentException e) {
            throw invalid(e, tree, type);
        }
    }

    /**
     * Writes a value as JSON text.
     *
     * @param value the value
     * @return compact JSON text
     * @throws IllegalArgumentException if Jackson cannot serialise the value
     */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value: " + value + " (expected: a value Jackson can "
                    + "serialise: " + problem(e) + ")", e);
        }
    }

    /**
     * Reads a value from JSON text.
     *
     * @param <T> the type to read
     * @param json the text, such as the contents of a config file
     * @param type the class to read
     * @return the value
     * @throws NullPointerException if an argument is null
     * @throws InvalidJsonException if the text is not valid JSON for {@code type}; the message
     *     names the field, its value and what was expected
     */
    public static <T> T read(String json, Class<T> type) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(type, "type");
        return fromTree(MAPPER, parse(json), type);
    }

    /**
     * Reads a value from a JSON file a user wrote, such as a source or a daemon's config. Unlike
     * {@link #read}, an unknown field is an error (a misspelt field must not be silently ignored).
     *
     * @param <T> the type to read
     * @param file the file
     * @param type the class to read
     * @return the value
     * @throws InvalidJsonException if the file is not valid JSON for {@code type}; the message names
     *     the file, the field, its value and what was expected
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public static <T> T readFile(java.nio.file.Path file, Class<T> type) {
        Objects.requireNonNull(type, "type");
        JsonNode tree = readTree(file);
        try {
            return fromTree(STRICT, tree, type);
        } catch (InvalidJsonException e) {
            throw e.in(file.toString());
        }
    }

    /**
     * Reads a JSON file a user wrote as a tree, for reading its parts with {@link #fromTreeStrict}.
     *
     * @param file the file
     * @return the tree
     * @throws InvalidJsonException if the file is not well-formed JSON; the message names the file,
     *     the line and the column
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public static JsonNode readTree(java.nio.file.Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return parse(java.nio.file.Files.readString(file));
        } catch (InvalidJsonException e) {
            throw e.in(file.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a value from part of a JSON document a user wrote: like {@link #fromTree}, but an
     * unknown field is an error.
     *
     * @param <T> the type to read
     * @param tree the part, such as one batcher of a config file
     * @param type the class to read
     * @return the value
     * @throws InvalidJsonException if the tree is not a valid {@code type}
     */
    public static <T> T fromTreeStrict(JsonNode tree, Class<T> type) {
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(type, "type");
        return fromTree(STRICT, tree, type);
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new InvalidJsonException(null, "json", "empty", "a JSON document", null);
            }
            return tree;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "malformed" : "malformed at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidJsonException(null, "json", where, "well-formed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Turns Jackson's account of a bad value into ours: the field's path, its value, what was expected. */
    private static InvalidJsonException invalid(Exception e, JsonNode tree, Class<?> type) {
        List<JsonMappingException.Reference> path = e instanceof JsonMappingException d ? d.getPath() : List.of();
        String field = path(path);
        Throwable cause = e.getCause();
        if (cause != null && !(cause instanceof JacksonException)) {
            // A record's own check, such as "capacity: 0 (expected: >= 1)", or requireNonNull's "recording".
            String message = String.valueOf(cause.getMessage());
            Matcher m = OWN_FORM.matcher(message);
            if (m.matches()) {
                return new InvalidJsonException(null, join(field, m.group(1)), m.group(2), m.group(3), e);
            }
            if (cause instanceof NullPointerException && message.matches("[A-Za-z][A-Za-z0-9]*")) {
                return new InvalidJsonException(null, join(field, message), "missing", "a value", e);
            }
            return new InvalidJsonException(null, field.isEmpty() ? "json" : field, shown(at(tree, path)), message, e);
        }
        if (e instanceof InvalidTypeIdException t) {
            String id = t.getTypeId();
            return new InvalidJsonException(null, join(field, "type"), id == null ? "missing" : '"' + id + '"',
                    "one of " + subtypes(t.getBaseType() == null ? null : t.getBaseType().getRawClass()), e);
        }
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            Class<?> owner = u.getReferringClass();
            if (owner != null && owner.isRecord()) {
                for (var c : owner.getRecordComponents()) {
                    known.add(c.getName()); // in declaration order, not Jackson's hash order
                }
            } else if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
                java.util.Collections.sort(known);
            }
            return new InvalidJsonException(null, field, shown(at(tree, path)),
                    known.isEmpty() ? "no such field" : "one of the fields " + String.join(", ", known), e);
        }
        if (e instanceof MismatchedInputException m) {
            JsonNode node = at(tree, path);
            return new InvalidJsonException(null, field.isEmpty() ? "json" : field, shown(node),
                    expectation(m.getTargetType() != null ? m.getTargetType() : type), e);
        }
        String problem = e instanceof JacksonException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
        return new InvalidJsonException(null, field.isEmpty() ? "json" : field, shown(at(tree, path)),
                "a " + type.getSimpleName() + " (" + problem + ")", e);
    }

    private static final Pattern OWN_FORM = Pattern.compile("([A-Za-z][A-Za-z0-9_.\\[\\]]*): (.*) \\(expected: (.*)\\)",
            Pattern.DOTALL);

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static JsonNode at(JsonNode tree, List<JsonMappingException.Reference> refs) {
        JsonNode node = tree;
        for (JsonMappingException.Reference r : refs) {
            if (node == null) {
                return null;
            }
            node = r.getFieldName() != null ? node.get(r.getFieldName()) : r.getIndex() >= 0 ? node.get(r.getIndex()) : node;
        }
        return node;
    }

    private static String shown(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        String text = node.toString();
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }

    private static String subtypes(Class<?> base) {
        JsonSubTypes sub = base == null ? null : base.getAnnotation(JsonSubTypes.class);
        if (sub == null) {
            return "the known types";
        }
        List<String> names = new ArrayList<>();
        for (JsonSubTypes.Type t : sub.value()) {
            names.add(t.name());
        }
        return String.join(", ", names);
    }

    private static String expectation(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class || t == short.class || t == Short.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t.isArray() || java.util.Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (t.isEnum()) {
            List<String> names = new ArrayList<>();
            for (Object c : t.getEnumConstants()) {
                names.add(((Enum<?>) c).name());
            }
            return "one of " + String.join(", ", names);
        }
        if (t.getAnnotation(JsonSubTypes.class) != null) {
            return "an object with a type: one of " + subtypes(t);
        }
        if (t.isRecord()) {
            List<String> names = new ArrayList<>();
            for (var c : t.getRecordComponents()) {
                names.add(c.getName());
            }
            return "an object with the fields " + String.join(", ", names);
        }
        return "an object";
    }

    private static String problem(Exception e) {
        Throwable cause = e.getCause();
        if (cause != null && !(cause instanceof JsonProcessingException) && cause.getMessage() != null) {
            return cause.getMessage(); // a record's own check, such as "capacity: 0 (expected: >= 1)"
        }
        if (e instanceof JsonProcessingException) {
            return ((JsonProcessingException) e).getOriginalMessage();
        }
        return String.valueOf(e.getMessage());
    }
}
