package dev.batcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.wire.ErrorFrames;
import dev.batcher.client.wire.Frame;
import dev.batcher.client.wire.MessageType;
import dev.batcher.client.wire.ProtocolException;
import dev.batcher.materializers.iteration.BatchState;
import dev.batcher.materializers.materialize.Taken;
import java.util.ArrayList;
import java.util.List;

/**
 * The operations of section 12 of {@code docs/protocol.md}: the {@code REQUEST} headers the client
 * sends and the reading of the answers. Every reader releases the frame it is given.
 */
final class Requests {
    static final String CREATE = "create";
    static final String START = "start";
    static final String TAKE = "take";
    static final String STOP = "stop";
    static final String STATUS = "status";
    static final String LIST = "list";

    private Requests() {
    }

    /** Names an operation for messages: {@code take on batcher 'train'}, or {@code list}. */
    static String describe(String op, String batcher) {
        return batcher == null ? op : op + " on batcher '" + batcher + "'";
    }

    /** A request header with {@code op} and, unless null, {@code batcher}. */
    static ObjectNode request(String op, String batcher) {
        ObjectNode header = Frame.newHeader();
        header.put("op", op);
        if (batcher != null) {
            header.put("batcher", batcher);
        }
        return header;
    }

    static ObjectNode create(String batcher, BatcherSpec spec) {
        ObjectNode header = request(CREATE, batcher);
        header.set("spec", BatcherJson.toTree(spec));
        return header;
    }

    /** A {@code start} or {@code take} header: the op, the batcher and the state in text form. */
    static ObjectNode withState(String op, String batcher, BatchState state) {
        ObjectNode header = request(op, batcher);
        header.put("state", state.toString());
        return header;
    }

    /**
     * Reads the answer to a request that must be a {@code RESPONSE}, and releases the frame.
     *
     * @return the response header
     * @throws dev.batcher.client.RemoteBatcherException if the answer is an {@code ERROR}
     * @throws ProtocolException if it is a frame of another type
     */
    static JsonNode response(Frame frame, String op, String batcher) {
        try {
            if (frame.type() == MessageType.ERROR) {
                throw ErrorFrames.toException(frame);
            }
            if (frame.type() != MessageType.RESPONSE) {
                throw new ProtocolException("type", frame.type(),
                        "RESPONSE or ERROR in answer to " + describe(op, batcher));
            }
            return frame.header();
        } finally {
            frame.release();
        }
    }

    /** Reads a required boolean field of a response, such as {@code created}. */
    static boolean flag(JsonNode header, String op, String field) {
        JsonNode value = header.get(field);
        if (value == null || !value.isBoolean()) {
            throw new ProtocolException(op + "." + field, shown(value), "true or false");
        }
        return value.asBoolean();
    }

    /** Reads a state in text form, such as {@code seed=1,batch=8}. */
    static BatchState state(JsonNode value, String field) {
        if (value != null && value.isTextual()) {
            try {
                return BatchState.parse(value.asText());
            } catch (IllegalArgumentException e) {
                // not a state: reported below
            }
        }
        throw new ProtocolException(field, shown(value),
                "a state in text form, such as \"seed=1,batch=8\"");
    }

    /** Reads a value of the API (status, list entry) with {@link BatcherJson}. */
    static <T> T value(JsonNode value, String field, Class<T> type) {
        if (value == null || !value.isObject()) {
            throw new ProtocolException(field, shown(value), "a " + type.getSimpleName() + " object");
        }
        try {
            return BatcherJson.fromTree(value, type);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field, shown(value),
                    "a " + type.getSimpleName() + " object; " + e.getMessage());
        }
    }

    /**
     * Reads the answer to a {@code take}: a {@code BATCH} (the frame's payload moves to the batch),
     * or {@code RESPONSE {"end": true, "last": state}}. Releases the frame.
     *
     * @throws dev.batcher.client.RemoteBatcherException if the answer is an {@code ERROR}
     * @throws ProtocolException if the answer is malformed
     */
    static Taken taken(Frame frame, String batcher, BatchState requested) {
        if (frame.type() == MessageType.BATCH) {
            RemoteBatch batch = RemoteBatch.decode(frame, requested);
            return new Taken.Next(batch, batch.state());
        }
        JsonNode header = response(frame, TAKE, batcher);
        JsonNode end = header.get("end");
        if (end == null || !end.isBoolean() || !end.asBoolean()) {
            throw new ProtocolException("take.end", shown(end),
                    "true in a RESPONSE to take (a batch comes in a BATCH frame)");
        }
        return new Taken.End(state(header.get("last"), "take.last"));
    }

    static BatcherStatus status(JsonNode header) {
        return value(header.get("status"), "status.status", BatcherStatus.class);
    }

    static List<BatcherStatus> list(JsonNode header) {
        JsonNode batchers = header.get("batchers");
        if (batchers == null || !batchers.isArray()) {
            throw new ProtocolException("list.batchers", shown(batchers),
                    "an array of BatcherStatus objects");
        }
        List<BatcherStatus> statuses = new ArrayList<>(batchers.size());
        for (int i = 0; i < batchers.size(); i++) {
            statuses.add(value(batchers.get(i), "list.batchers[" + i + "]", BatcherStatus.class));
        }
        return List.copyOf(statuses);
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
