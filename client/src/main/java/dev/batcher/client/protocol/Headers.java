package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.api.BatchState;

/**
 * Reads header fields for the message types, failing with a {@link ProtocolException} that names the
 * field (qualified by its message, such as {@code take.state}), the value and what was expected. The
 * {@code code} says who is to blame: {@link ErrorFrames#CODE_BAD_REQUEST} for a client's request (the
 * connection stays up), {@link ErrorFrames#CODE_PROTOCOL} for anything else.
 */
final class Headers {
    private Headers() {
    }

    static String text(JsonNode header, String qualifiedName, String field) {
        return text(header, qualifiedName, field, ErrorFrames.CODE_PROTOCOL);
    }

    static String text(JsonNode header, String qualifiedName, String field, String code) {
        JsonNode value = header.get(field);
        if (value == null || !value.isTextual()) {
            throw new ProtocolException(code, qualifiedName, shown(value), "a string");
        }
        return value.asText();
    }

    /** An optional text field: null when absent or JSON null. */
    static String optionalText(JsonNode header, String qualifiedName, String field) {
        JsonNode value = header.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ProtocolException(qualifiedName, shown(value), "a string");
        }
        return value.asText();
    }

    static long integer(JsonNode header, String qualifiedName, String field, long min, long max) {
        JsonNode value = header.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            throw new ProtocolException(qualifiedName, shown(value),
                    "an integer in [" + min + ", " + max + "]");
        }
        return value.asLong();
    }

    static boolean flag(JsonNode header, String qualifiedName, String field) {
        JsonNode value = header.get(field);
        if (value == null || !value.isBoolean()) {
            throw new ProtocolException(qualifiedName, shown(value), "true or false");
        }
        return value.asBoolean();
    }

    /** A state in text form, such as {@code seed=1,batch=8}. */
    static BatchState state(JsonNode header, String qualifiedName, String field, String code) {
        JsonNode value = header.get(field);
        if (value != null && value.isTextual()) {
            try {
                return BatchState.parse(value.asText());
            } catch (IllegalArgumentException e) {
                // not a state: reported below
            }
        }
        throw new ProtocolException(code, qualifiedName, shown(value),
                "a state in text form, such as \"seed=1,batch=8\"");
    }

    /** A JSON value for a message: {@code absent}, or its text cut to 200 characters. */
    static String shown(JsonNode value) {
        if (value == null) {
            return "absent";
        }
        String text = value.toString();
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
