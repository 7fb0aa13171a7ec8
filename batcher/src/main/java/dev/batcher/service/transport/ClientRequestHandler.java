package dev.batcher.service.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Failure;
import dev.batcher.client.wire.ErrorFrames;
import dev.batcher.client.wire.Frame;
import dev.batcher.client.wire.MessageType;
import dev.batcher.client.wire.ProtocolException;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.iteration.BatchState;
import dev.batcher.service.ServiceException;
import dev.batcher.service.manager.BatcherFailedException;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.Manager;
import dev.batcher.service.manager.NotRunningException;
import dev.batcher.service.manager.TakeOutcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection: the operations of section 12.1 of {@code docs/protocol.md}. Requests
 * run concurrently and are answered by id; a batch's payload goes to the client as the worker sent
 * it, without a copy.
 */
final class ClientRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestHandler.class);
    static final String CODE_NOT_RUNNING = "not_running";
    static final String CODE_FAILED = "failed";

    private final Manager manager;
    private final Executor blocking;
    private final String peer;
    /** Requests still being answered, by id, so that a client's CANCEL can withdraw them. */
    private final java.util.Map<Long, CompletableFuture<?>> pending = new java.util.concurrent.ConcurrentHashMap<>();

    ClientRequestHandler(Manager manager, Executor blocking, String peer) {
        this.manager = manager;
        this.blocking = blocking;
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (frame.type()) {
                case REQUEST -> handle(ctx.channel(), frame.id(), frame.header());
                case CANCEL -> {
                    CompletableFuture<?> f = pending.remove(frame.id());
                    if (f != null) {
                        f.cancel(false);
                    }
                }
                case GOODBYE -> { }
                default -> {
                    ProtocolException e = new ProtocolException("type", frame.type().name(),
                            "REQUEST, CANCEL or GOODBYE from a client");
                    ctx.writeAndFlush(ErrorFrames.error(0, ErrorFrames.CODE_PROTOCOL, e, Map.of()))
                            .addListener(f -> ctx.close());
                }
            }
        } finally {
            frame.release();
        }
    }

    private void handle(Channel ch, long id, JsonNode h) {
        CompletableFuture<Frame> answer;
        try {
            String op = Messages.text(h, "op");
            answer = switch (op) {
                case "list" -> list(id);
                case "create" -> {
                    String name = Messages.text(h, "batcher");
                    BatcherSpec spec = spec(h);
                    yield CompletableFuture.supplyAsync(() -> {
                        boolean existed = manager.names().contains(name);
                        manager.create(name, spec);
                        return response(id, r -> r.put("created", !existed));
                    }, blocking);
                }
                case "start" -> batcher(h).start(state(h)).thenApply(started -> response(id, r -> r.put("started", started)));
                case "stop" -> batcher(h).stop().thenApply(v -> response(id, r -> { }));
                case "status" -> batcher(h).status().thenApply(s -> response(id, r -> r.set("status", Messages.MAPPER.valueToTree(s))));
                case "take" -> {
                    CompletableFuture<TakeOutcome> taking = batcher(h).take(state(h));
                    pending.put(id, taking);
                    yield taking.thenApply(outcome -> take(id, outcome));
                }
                default -> throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "op", op,
                        "one of create, start, take, stop, status, list");
            };
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((frame, error) -> {
            pending.remove(id);
            Frame out = error == null ? frame : errorFrame(id, error);
            ch.writeAndFlush(out).addListener(w -> {
                if (!w.isSuccess() && ch.isActive()) {
                    log.warn("answering request {} of client {} failed: {}", id, peer, w.cause().toString());
                    if (error == null) {
                        // Nothing was sent (a batch above the maximum frame length fails before its first byte):
                        // answer with the cause rather than leave the client waiting until its timeout.
                        ch.writeAndFlush(ErrorFrames.error(id, ErrorFrames.CODE_INTERNAL, w.cause(), Map.of()));
                    }
                }
            });
        });
    }

    private ManagedBatcher batcher(JsonNode h) {
        return manager.get(Messages.text(h, "batcher"));
    }

    private static BatchState state(JsonNode h) {
        try {
            return BatchState.parse(Messages.text(h, "state"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "state", h.path("state").toString(),
                    "seed=<long>,batch=<long >= 0>");
        }
    }

    private static BatcherSpec spec(JsonNode h) {
        JsonNode s = h.get("spec");
        if (s == null || !s.isObject()) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "spec", String.valueOf(s), "a BatcherSpec object");
        }
        try {
            return Messages.MAPPER.treeToValue(s, BatcherSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new ProtocolException(ErrorFrames.CODE_BAD_REQUEST, "spec", e.getMessage(),
                    "a BatcherSpec: dataset, source, options, capacity, retries");
        }
    }

    private CompletableFuture<Frame> list(long id) {
        List<CompletableFuture<BatcherStatus>> all = new ArrayList<>();
        for (String name : manager.names()) {
            all.add(manager.get(name).status());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> response(id, r -> {
            ArrayNode a = r.putArray("batchers");
            for (CompletableFuture<BatcherStatus> s : all) {
                a.add(Messages.MAPPER.<JsonNode>valueToTree(s.join()));
            }
        }));
    }

    private static Frame take(long id, TakeOutcome outcome) {
        if (outcome instanceof TakeOutcome.End end) {
            return response(id, r -> {
                r.put("end", true);
                r.put("last", end.last().toString());
            });
        }
        TakeOutcome.Next next = (TakeOutcome.Next) outcome;
        ObjectNode h = Messages.tensorHeader(next.batch());
        h.put("state", next.state().toString());
        h.put("previous", next.previous().toString());
        return Frame.of(MessageType.BATCH, id, h, next.batch().payload());
    }

    private static Frame response(long id, java.util.function.Consumer<ObjectNode> fill) {
        ObjectNode h = Frame.newHeader();
        fill.accept(h);
        return Frame.of(MessageType.RESPONSE, id, h);
    }

    static Frame errorFrame(long id, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof BatcherFailedException failed) {
            Failure f = failed.failure();
            ObjectNode h = Frame.newHeader();
            h.put("code", CODE_FAILED);
            h.put("class", f.exceptionClass());
            h.put("message", f.message());
            h.put("stack", f.remoteStack());
            ObjectNode c = h.putObject("context");
            c.put("batcher", failed.batcher());
            c.put("worker", f.worker());
            c.put("state", f.state());
            c.put("batch", f.batch());
            c.put("attempts", Integer.toString(f.attempts()));
            return Frame.of(MessageType.ERROR, id, h);
        }
        String code = e instanceof NotRunningException ? CODE_NOT_RUNNING
                : e instanceof ProtocolException p ? p.code()
                : e instanceof ServiceException || e instanceof MaterializerException || e instanceof IllegalArgumentException
                        ? ErrorFrames.CODE_BAD_REQUEST
                        : ErrorFrames.CODE_INTERNAL;
        return ErrorFrames.error(id, code, e, Map.of());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A client that went away takes nothing more: withdraw its waiting takes.
        for (CompletableFuture<?> f : pending.values()) {
            f.cancel(false);
        }
        pending.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("client {}: {}; closing its connection", peer, cause.toString());
        ctx.close();
    }
}
