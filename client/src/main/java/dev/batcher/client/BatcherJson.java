package dev.batcher.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Objects;

/**
 * The JSON form of the API's value types, shared by the client, the daemon and config files:
 * {@link BatcherSpec} (with its polymorphic {@link dev.batcher.materializers.iteration.SourceConfig},
 * chosen by the {@code type} field, and {@link dev.batcher.materializers.materialize.MaterializeOptions}),
 * {@link BatcherStatus} and {@link Failure}. Field names are the record components' names
 * (camelCase); null fields are left out; unknown fields are ignored when reading, so that the
 * daemon can add fields without breaking older clients (section 10 of {@code docs/protocol.md}).
 * Enums ({@link Status}) are written by name, such as {@code "RUNNING"}.
 *
 * <p>Thread-safe: every method uses one configured, immutable-after-construction mapper.
 */
public final class BatcherJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.NON_NULL))
            .build();

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
     * @throws IllegalArgumentException if the tree is not a valid {@code type}; the message names the
     *     type and what is wrong
     */
    public static <T> T fromTree(JsonNode tree, Class<T> type) {
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(type, "type");
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(tree) + " (expected: a " + type.getSimpleName()
                    + " as JSON: " + problem(e) + ")", e);
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
     * @throws IllegalArgumentException if the text is not valid JSON for {@code type}; the message
     *     names the type and the problem
     */
    public static <T> T read(String json, Class<T> type) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(type, "type");
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            String shown = json.length() <= 200 ? json : json.substring(0, 200) + "...";
            throw new IllegalArgumentException("json: " + shown + " (expected: a "
                    + type.getSimpleName() + " as JSON: " + problem(e) + ")", e);
        }
    }

    private static String describe(JsonNode tree) {
        String text = tree.toString();
        return "json: " + (text.length() <= 200 ? text : text.substring(0, 200) + "...");
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
