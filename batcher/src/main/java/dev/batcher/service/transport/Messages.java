package dev.batcher.service.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.wire.ErrorFrames;
import dev.batcher.client.wire.Frame;
import dev.batcher.client.wire.ProtocolException;
import dev.batcher.service.pool.Materialized;

/** The JSON headers of section 12 of {@code docs/protocol.md}, shared by the daemon and its workers. */
public final class Messages {
    /** The mapper for headers: records, sealed source configs and all. */
    public static final ObjectMapper MAPPER = dev.batcher.client.BatcherJson.mapper();

    private Messages() {}

    /**
     * Returns a header describing a tensor payload: {@code x} and {@code y} with dtype and shape, and
     * {@code byteOrder}.
     *
     * @param m the batch
     * @return the header fields
     */
    public static ObjectNode tensorHeader(Materialized m) {
        ObjectNode h = Frame.newHeader();
        h.set("x", tensor("float32", m.xShape()));
        h.set("y", tensor("int32", m.yShape()));
        h.put("byteOrder", "little");
        return h;
    }

    private static ObjectNode tensor(String dtype, int[] shape) {
        ObjectNode t = MAPPER.createObjectNode();
        t.put("dtype", dtype);
        ArrayNode s = t.putArray("shape");
        for (int d : shape) {
            s.add(d);
        }
        return t;
    }

    /**
     * Reads a shape from a tensor header field.
     *
     * @param header the frame's header
     * @param field {@code x} or {@code y}
     * @return the shape
     * @throws ProtocolException if the field is missing or not an array of positive integers
     */
    public static int[] shape(JsonNode header, String field) {
        JsonNode s = header.path(field).path("shape");
        if (!s.isArray() || s.isEmpty()) {
            throw new ProtocolException(field + ".shape", String.valueOf(s), "an array of dimensions");
        }
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = s.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0) {
                throw new ProtocolException(field + ".shape[" + i + "]", d.toString(), "an int >= 0");
            }
            shape[i] = d.asInt();
        }
        return shape;
    }

    /**
     * Reads a required text field.
     *
     * @param header the header
     * @param field the field's name
     * @return its text
     * @throws ProtocolException if it is missing or not text
     */
    public static String text(JsonNode header, String field) {
        JsonNode n = header.get(field);
        if (n == null || !n.isTextual()) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, field, String.valueOf(n), "a string");
        }
        return n.asText();
    }

    /**
     * Returns the number of bytes a batch of these shapes takes: 4 per element of x and y.
     *
     * @param xShape the shape of x
     * @param yShape the shape of y
     * @return the payload size
     */
    public static long payloadBytes(int[] xShape, int[] yShape) {
        long x = 1;
        for (int d : xShape) {
            x *= d;
        }
        long y = 1;
        for (int d : yShape) {
            y *= d;
        }
        return 4 * (x + y);
    }
}
