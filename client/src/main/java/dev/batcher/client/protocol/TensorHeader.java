package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.api.BatchShapes;
import java.util.Arrays;

/**
 * The tensor description in the header of a frame that carries a batch ({@code BATCH},
 * {@code JOB_RESULT}): written and read here only, with one set of rules for every receiver.
 *
 * <pre>
 * "x": {"dtype": "float32", "shape": [32, 8, 7680]},
 * "y": {"dtype": "int32",   "shape": [32, 1, 1]},
 * "byteOrder": "little"
 *
 * payload  +--------------------------------------------+--------------------------------+
 *          | x: product(x.shape) float32, little-endian | y: product(y.shape) int32, LE  |
 *          +--------------------------------------------+--------------------------------+
 * </pre>
 *
 * Rules: {@code x.dtype} is {@code "float32"} and {@code y.dtype} {@code "int32"}; each shape is a
 * non-empty array of integers in {@code [0, 2^31-1]}; each tensor has at most {@code 2^31-1}
 * elements and the payload, {@code 4 × (elements of x + elements of y)} bytes, at most
 * {@code 2^31-1} bytes; {@code byteOrder} is {@code "little"} (an absent {@code byteOrder} means
 * little). Adding a field: write it in {@link #write} and read it in {@link #read}; receivers
 * ignore fields they do not know. The shapes themselves are a {@link BatchShapes} of the api module.
 */
public final class TensorHeader {
    /** The dtype of x. */
    public static final String X_DTYPE = "float32";
    /** The dtype of y. */
    public static final String Y_DTYPE = "int32";
    /** The only byte order of the payload. */
    public static final String BYTE_ORDER = "little";

    private TensorHeader() {}

    /**
     * Returns the bytes of the payload that carries a batch of these shapes.
     *
     * @param shapes the shapes
     * @return {@code 4 × (elements of x + elements of y)}
     * @throws IllegalArgumentException if a tensor has more than {@code 2^31-1} elements or the payload
     *     would exceed {@code 2^31-1} bytes
     */
    public static int payloadBytes(BatchShapes shapes) {
        if (shapes.xElements() > Integer.MAX_VALUE || shapes.yElements() > Integer.MAX_VALUE
                || shapes.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shapes: x " + Arrays.toString(shapes.xShape()) + ", y "
                    + Arrays.toString(shapes.yShape()) + " (expected: a payload of at most " + Integer.MAX_VALUE
                    + " bytes, not " + shapes.bytes() + ")");
        }
        return (int) shapes.bytes();
    }

    /**
     * Writes {@code x}, {@code y} and {@code byteOrder} into a header.
     *
     * @param header the header to fill
     * @param shapes the shapes to describe
     * @return {@code header}
     * @throws IllegalArgumentException if the payload would exceed the limits of {@link #payloadBytes}
     */
    public static ObjectNode write(ObjectNode header, BatchShapes shapes) {
        payloadBytes(shapes);
        header.set("x", tensor(X_DTYPE, shapes.xShape()));
        header.set("y", tensor(Y_DTYPE, shapes.yShape()));
        header.put("byteOrder", BYTE_ORDER);
        return header;
    }

    private static ObjectNode tensor(String dtype, int[] shape) {
        ObjectNode t = Frame.newHeader();
        t.put("dtype", dtype);
        ArrayNode s = t.putArray("shape");
        for (int d : shape) {
            s.add(d);
        }
        return t;
    }

    /**
     * Reads the description from a header, with the rules above.
     *
     * @param header the frame's header
     * @param message the message it belongs to, for field names such as {@code batch.x.shape[0]}
     * @return the shapes
     * @throws ProtocolException naming the first field that breaks a rule
     */
    public static BatchShapes read(JsonNode header, String message) {
        JsonNode byteOrder = header.get("byteOrder");
        if (byteOrder != null && !BYTE_ORDER.equals(byteOrder.asText(null))) {
            throw new ProtocolException(message + ".byteOrder", Headers.shown(byteOrder), "\"" + BYTE_ORDER + "\"");
        }
        int[] x = shape(header, message + ".x", "x", X_DTYPE);
        int[] y = shape(header, message + ".y", "y", Y_DTYPE);
        checkElements(x, message + ".x.shape");
        checkElements(y, message + ".y.shape");
        long bytes = 4 * (BatchShapes.elements(x) + BatchShapes.elements(y));
        if (bytes > Integer.MAX_VALUE) {
            throw new ProtocolException(message + ".shapes", "x " + Arrays.toString(x) + ", y " + Arrays.toString(y),
                    "a payload of at most " + Integer.MAX_VALUE + " bytes, not " + bytes);
        }
        return new BatchShapes(x, y);
    }

    private static void checkElements(int[] shape, String field) {
        if (BatchShapes.elements(shape) > Integer.MAX_VALUE) {
            throw new ProtocolException(field, Arrays.toString(shape), "at most " + Integer.MAX_VALUE + " elements");
        }
    }

    private static int[] shape(JsonNode header, String field, String tensor, String dtype) {
        JsonNode description = header.get(tensor);
        if (description == null || !description.isObject()) {
            throw new ProtocolException(field, Headers.shown(description),
                    "{\"dtype\": \"" + dtype + "\", \"shape\": [...]}");
        }
        JsonNode type = description.get("dtype");
        if (type == null || !dtype.equals(type.asText(null))) {
            throw new ProtocolException(field + ".dtype", Headers.shown(type), "\"" + dtype + "\"");
        }
        JsonNode dims = description.get("shape");
        if (dims == null || !dims.isArray() || dims.isEmpty()) {
            throw new ProtocolException(field + ".shape", Headers.shown(dims),
                    "a non-empty array of dimensions, batch first");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = dims.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.asInt() < 0) {
                throw new ProtocolException(field + ".shape[" + i + "]", Headers.shown(dim),
                        "an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = dim.asInt();
        }
        return shape;
    }

    /**
     * Checks that a payload has the size the shapes imply.
     *
     * @param shapes the shapes the header announced
     * @param size the payload's readable bytes
     * @param message the message, for the field name
     * @throws ProtocolException if it differs
     */
    public static void checkPayload(BatchShapes shapes, int size, String message) {
        if (size != shapes.bytes()) {
            throw new ProtocolException(message + ".payload", size + " bytes", "4 × (" + shapes.xElements()
                    + " elements of x.shape " + Arrays.toString(shapes.xShape()) + " + " + shapes.yElements()
                    + " elements of y.shape " + Arrays.toString(shapes.yShape()) + ") = " + shapes.bytes() + " bytes");
        }
    }
}
