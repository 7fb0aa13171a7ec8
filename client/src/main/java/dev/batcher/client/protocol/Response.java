package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.BatcherStatus;
import dev.batcher.api.BatchState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code RESPONSE} frame (daemon to client): the successful answer to a {@link Request}, one record
 * per kind of answer, each with its encoding ({@link #toFrame}) beside the decoding ({@link #decode}).
 * A response does not name its op: the client knows it from the request id, and decodes with it.
 *
 * <pre>
 * create  {"created": true}        false: a batcher of that name and an equal spec existed
 * start   {"started": true}        false: it was running (a no-op)
 * take    {"end": true, "last": "seed=1,batch=9"}   at the end of a finite source; else a BATCH frame
 * stop    {}
 * status  {"status": BatcherStatus}
 * list    {"batchers": [BatcherStatus, ...]}
 * </pre>
 */
public sealed interface Response {
    /** Returns the header fields. */
    ObjectNode toHeader();

    /**
     * Encodes this answer as a {@code RESPONSE} frame.
     *
     * @param requestId the id of the request it answers
     * @return a frame with a reference count of 1
     */
    default Frame toFrame(long requestId) {
        return Frame.of(MessageType.RESPONSE, requestId, toHeader());
    }

    /**
     * Decodes the answer to a request of a given op; the frame is not released. A {@code take} is
     * answered by a {@code BATCH} frame (read it with {@link BatchMessage#decode}) or by {@link End}.
     *
     * @param frame the answer
     * @param op the op of the request it answers
     * @param batcher the batcher of that request (null for list), for messages
     * @return the answer
     * @throws dev.batcher.client.RemoteBatcherException if the answer is an {@code ERROR}
     * @throws ProtocolException if it is a frame of another type, or a field is malformed
     */
    static Response decode(Frame frame, Op op, String batcher) {
        if (frame.type() == MessageType.ERROR) {
            throw ErrorFrames.toException(frame);
        }
        if (frame.type() != MessageType.RESPONSE) {
            throw new ProtocolException("type", frame.type(),
                    "RESPONSE or ERROR in answer to " + Request.describe(op, batcher));
        }
        JsonNode h = frame.header();
        return switch (op) {
            case CREATE -> new Created(Headers.flag(h, "create.created", "created"));
            case START -> new Started(Headers.flag(h, "start.started", "started"));
            case STOP -> new Stopped();
            case STATUS -> new StatusReport(value(h.get("status"), "status.status"));
            case LIST -> new Listing(list(h.get("batchers")));
            case TAKE -> {
                JsonNode end = h.get("end");
                if (end == null || !end.isBoolean() || !end.asBoolean()) {
                    throw new ProtocolException("take.end", Headers.shown(end),
                            "true in a RESPONSE to take (a batch comes in a BATCH frame)");
                }
                yield new End(Headers.state(h, "take.last", "last", ErrorFrames.CODE_PROTOCOL));
            }
        };
    }

    private static BatcherStatus value(JsonNode value, String field) {
        if (value == null || !value.isObject()) {
            throw new ProtocolException(field, Headers.shown(value), "a BatcherStatus object");
        }
        try {
            return BatcherJson.fromTree(value, BatcherStatus.class);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(field, Headers.shown(value), "a BatcherStatus object; " + e.getMessage());
        }
    }

    private static List<BatcherStatus> list(JsonNode batchers) {
        if (batchers == null || !batchers.isArray()) {
            throw new ProtocolException("list.batchers", Headers.shown(batchers), "an array of BatcherStatus objects");
        }
        List<BatcherStatus> statuses = new ArrayList<>(batchers.size());
        for (int i = 0; i < batchers.size(); i++) {
            statuses.add(value(batchers.get(i), "list.batchers[" + i + "]"));
        }
        return List.copyOf(statuses);
    }

    /**
     * The answer to {@code create}.
     *
     * @param created true if the batcher was created, false if one of that name and an equal spec
     *     existed
     */
    record Created(boolean created) implements Response {
        @Override
        public ObjectNode toHeader() {
            return Frame.newHeader().put("created", created);
        }
    }

    /**
     * The answer to {@code start}.
     *
     * @param started true if it started, false if it was running
     */
    record Started(boolean started) implements Response {
        @Override
        public ObjectNode toHeader() {
            return Frame.newHeader().put("started", started);
        }
    }

    /** The answer to {@code stop}, once the batcher has stopped. */
    record Stopped() implements Response {
        @Override
        public ObjectNode toHeader() {
            return Frame.newHeader();
        }
    }

    /**
     * The answer to {@code status}.
     *
     * @param status the batcher's status
     */
    record StatusReport(BatcherStatus status) implements Response {
        /** @throws NullPointerException if {@code status} is null */
        public StatusReport {
            Objects.requireNonNull(status, "status");
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = Frame.newHeader();
            h.set("status", BatcherJson.toTree(status));
            return h;
        }
    }

    /**
     * The answer to {@code list}.
     *
     * @param batchers the status of every batcher
     */
    record Listing(List<BatcherStatus> batchers) implements Response {
        /** @throws NullPointerException if the list or an element is null */
        public Listing {
            batchers = List.copyOf(batchers);
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = Frame.newHeader();
            ArrayNode a = h.putArray("batchers");
            for (BatcherStatus s : batchers) {
                a.add(BatcherJson.toTree(s));
            }
            return h;
        }
    }

    /**
     * The answer to a {@code take} at the end of a finite source.
     *
     * @param last the state after the last batch
     */
    record End(BatchState last) implements Response {
        /** @throws NullPointerException if {@code last} is null */
        public End {
            Objects.requireNonNull(last, "last");
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = Frame.newHeader();
            h.put("end", true);
            h.put("last", last.toString());
            return h;
        }
    }
}
