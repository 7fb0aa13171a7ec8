package dev.batcher.client.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON mapper of the wire protocol: strict about duplicates and trailing content. */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Serialises a header; a header is a tree of plain JSON nodes, so this cannot fail. */
    static byte[] bytes(JsonNode header) {
        try {
            return MAPPER.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be serialised", e);
        }
    }

    /** Returns the text of a header, with a {@code token} field redacted, cut to {@code max} chars. */
    static String describe(JsonNode header, int max) {
        JsonNode shown = header;
        if (header.has("token")) {
            ObjectNode copy = header.deepCopy();
            copy.put("token", "<redacted>");
            shown = copy;
        }
        String text = shown.toString();
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
