package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.InvalidJsonException;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import java.util.Objects;

/**
 * A {@code REQUEST} frame (client to daemon): its {@link Op} and arguments, one record per operation,
 * each with its encoding ({@link #toFrame}) beside the decoding ({@link #decode}). The header is
 * {@code {"op": "take", "batcher": "train", "state": "seed=1,batch=7"}}: {@code op} always,
 * {@code batcher} for every op but {@code list}, and the op's own fields. Section 12.1 of
 * {@code docs/protocol.md} lists them; the answers are {@link Response}s, {@code BATCH} frames
 * ({@link BatchMessage}) or {@code ERROR}s.
 *
 * <p>Adding a field to an op: add the record component, write it in {@link #toHeader()} and read it
 * in {@link #decode(JsonNode)}; receivers ignore fields they do not know, so an optional field needs
 * no version change.
 */
public sealed interface Request {
    /** Returns the operation. */
    Op op();

    /** Returns the batcher the request is about, or null for {@link Op#LIST}. */
    String batcher();

    /** Returns the header fields: {@code op}, {@code batcher} (unless null) and the op's own. */
    ObjectNode toHeader();

    /**
     * Encodes this request as a {@code REQUEST} frame.
     *
     * @param id the request id, chosen by the client, unique on its connection
     * @return a frame with a reference count of 1
     */
    default Frame toFrame(long id) {
        return Frame.of(MessageType.REQUEST, id, toHeader());
    }

    /** Names the request for messages: {@code take on batcher 'train'}, or {@code list}. */
    default String describe() {
        return describe(op(), batcher());
    }

    /**
     * Names an operation for messages: {@code take on batcher 'train'}, or {@code list}.
     *
     * @param op the operation
     * @param batcher the batcher, or null
     * @return the description
     */
    static String describe(Op op, String batcher) {
        return batcher == null ? op.wireName() : op.wireName() + " on batcher '" + batcher + "'";
    }

    /**
     * Decodes a {@code REQUEST} frame; the frame is not released.
     *
     * @param frame the frame
     * @return the request
     * @throws ProtocolException with code {@link ErrorFrames#CODE_BAD_REQUEST} naming the bad field
     *     (an unknown op, a missing batcher, a malformed state or spec), or {@link
     *     ErrorFrames#CODE_PROTOCOL} for a frame of another type
     */
    static Request decode(Frame frame) {
        if (frame.type() != MessageType.REQUEST) {
            throw new ProtocolException("type", frame.type(), "REQUEST");
        }
        return decode(frame.header());
    }

    /**
     * Decodes the header of a {@code REQUEST}.
     *
     * @param header the header
     * @return the request
     * @throws ProtocolException with code {@link ErrorFrames#CODE_BAD_REQUEST} naming the bad field
     */
    static Request decode(JsonNode header) {
        Op op = Op.fromWireName(Headers.text(header, "op", "op", ErrorFrames.CODE_BAD_REQUEST));
        if (op == Op.LIST) {
            return new ListQuery();
        }
        String batcher = Headers.text(header, op + ".batcher", "batcher", ErrorFrames.CODE_BAD_REQUEST);
        return switch (op) {
            case CREATE -> new Create(batcher, spec(header));
            case START -> new Start(batcher, Headers.state(header, "start.state", "state", ErrorFrames.CODE_BAD_REQUEST));
            case TAKE -> new Take(batcher, Headers.state(header, "take.state", "state", ErrorFrames.CODE_BAD_REQUEST));
            case STOP -> new Stop(batcher);
            case STATUS -> new StatusQuery(batcher);
            case LIST -> throw new AssertionError("handled above");
        };
    }

    private static BatcherSpec spec(JsonNode header) {
        JsonNode s = header.get("spec");
        if (s == null || !s.isObject()) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "create.spec", Headers.shown(s),
                    "a BatcherSpec object: dataset, source, options, capacity, retries");
        }
        try {
            return BatcherJson.fromTree(s, BatcherSpec.class);
        } catch (InvalidJsonException e) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, e.under("create.spec").field(), e.value(), e.expected());
        }
    }

    private static ObjectNode header(Op op, String batcher) {
        ObjectNode header = Frame.newHeader();
        header.put("op", op.wireName());
        if (batcher != null) {
            header.put("batcher", batcher);
        }
        return header;
    }

    /**
     * {@code create}: makes a batcher from a spec. Header field {@code spec}, a {@link BatcherSpec}
     * as JSON.
     *
     * @param batcher the new batcher's name
     * @param spec what it produces
     */
    record Create(String batcher, BatcherSpec spec) implements Request {
        /** @throws NullPointerException if an argument is null */
        public Create {
            Objects.requireNonNull(batcher, "batcher");
            Objects.requireNonNull(spec, "spec");
        }

        @Override
        public Op op() {
            return Op.CREATE;
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = header(op(), batcher);
            h.set("spec", BatcherJson.toTree(spec));
            return h;
        }
    }

    /**
     * {@code start}: starts a batcher at a state (header field {@code state}).
     *
     * @param batcher the batcher
     * @param state where it starts
     */
    record Start(String batcher, BatchState state) implements Request {
        /** @throws NullPointerException if an argument is null */
        public Start {
            Objects.requireNonNull(batcher, "batcher");
            Objects.requireNonNull(state, "state");
        }

        @Override
        public Op op() {
            return Op.START;
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = header(op(), batcher);
            h.put("state", state.toString());
            return h;
        }
    }

    /**
     * {@code take}: the batch at a state (header field {@code state}).
     *
     * @param batcher the batcher
     * @param state the state before the batch wanted
     */
    record Take(String batcher, BatchState state) implements Request {
        /** @throws NullPointerException if an argument is null */
        public Take {
            Objects.requireNonNull(batcher, "batcher");
            Objects.requireNonNull(state, "state");
        }

        @Override
        public Op op() {
            return Op.TAKE;
        }

        @Override
        public ObjectNode toHeader() {
            ObjectNode h = header(op(), batcher);
            h.put("state", state.toString());
            return h;
        }
    }

    /**
     * {@code stop}: stops a batcher; idempotent.
     *
     * @param batcher the batcher
     */
    record Stop(String batcher) implements Request {
        /** @throws NullPointerException if {@code batcher} is null */
        public Stop {
            Objects.requireNonNull(batcher, "batcher");
        }

        @Override
        public Op op() {
            return Op.STOP;
        }

        @Override
        public ObjectNode toHeader() {
            return header(op(), batcher);
        }
    }

    /**
     * {@code status}: a batcher's status.
     *
     * @param batcher the batcher
     */
    record StatusQuery(String batcher) implements Request {
        /** @throws NullPointerException if {@code batcher} is null */
        public StatusQuery {
            Objects.requireNonNull(batcher, "batcher");
        }

        @Override
        public Op op() {
            return Op.STATUS;
        }

        @Override
        public ObjectNode toHeader() {
            return header(op(), batcher);
        }
    }

    /** {@code list}: the status of every batcher. */
    record ListQuery() implements Request {
        @Override
        public Op op() {
            return Op.LIST;
        }

        @Override
        public String batcher() {
            return null;
        }

        @Override
        public ObjectNode toHeader() {
            return header(op(), null);
        }
    }
}
