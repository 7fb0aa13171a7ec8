package dev.batcher.client.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads required header fields, failing with a {@link ProtocolException} that names them. */
final class Headers {
    private Headers() {
    }

    static String text(JsonNode header, String qualifiedName, String field) {
        JsonNode value = header.get(field);
        if (value == null || !value.isTextual()) {
            throw new ProtocolException(qualifiedName, describe(value), "a string");
        }
        return value.asText();
    }

    static long integer(JsonNode header, String qualifiedName, String field, long min, long max) {
        JsonNode value = header.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            throw new ProtocolException(qualifiedName, describe(value),
                    "an integer in [" + min + ", " + max + "]");
        }
        return value.asLong();
    }

    private static String describe(JsonNode value) {
        if (value == null) {
            return "absent";
        }
        String text = value.toString();
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
