package dev.batcher.service.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.client.BatcherStatus;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.protocol.ArenaRef;
import dev.batcher.protocol.BatchMessage;
import dev.batcher.service.pool.ArenaSlotBuf;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.protocol.ErrorFrames;
import dev.batcher.protocol.Frame;
import dev.batcher.protocol.ProtocolException;
import dev.batcher.protocol.Request;
import dev.batcher.protocol.Response;
import dev.batcher.service.ServiceException;
import dev.batcher.service.manager.BatcherFailedException;
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

    private final Manager manager;
    private final Executor blocking;
    private final String peer;
    /** Requests still being answered, by id, so that a client's CANCEL can withdraw them. */
    private final java.util.Map<Long, CompletableFuture<?>> pending = new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether the client runs on this host and reads batches in shared memory. */
    private final boolean sharesMemory;
    /**
     * Batches in shared memory that the client holds, by the id of the take they answered: each keeps
     * its slot until the client's RELEASE or the connection's close.
     */
    private final java.util.Map<Long, ArenaSlotBuf> held = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean inactive;

    ClientRequestHandler(Manager manager, Executor blocking, String peer, boolean sharesMemory) {
        this.sharesMemory = sharesMemory;
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
                case RELEASE -> {
                    ArenaSlotBuf slot = held.remove(frame.id());
                    if (slot != null) {
                        slot.release();
                    }
                }
                case GOODBYE -> { }
                default -> {
                    ProtocolException e = new ProtocolException("type", frame.type().name(),
                            "REQUEST, CANCEL, RELEASE or GOODBYE from a client");
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
            Request request = Request.decode(h);
            answer = dispatch(id, request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((frame, error) -> {
            pending.remove(id);
            Frame out = error == null ? frame : errorFrame(id, error);
            ch.writeAndFlush(out).addListener(w -> {
                if (!w.isSuccess()) {
                    releaseHeld(id);
                }
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

    /** Starts the work of a request; the future completes with its answer. Java 17: no switch patterns. */
    private CompletableFuture<Frame> dispatch(long id, Request request) {
        if (request instanceof Request.Create c) {
            return CompletableFuture.supplyAsync(() -> {
                boolean existed = manager.names().contains(c.batcher());
                manager.create(c.batcher(), c.spec());
                return new Response.Created(!existed).toFrame(id);
            }, blocking);
        }
        if (request instanceof Request.Start s) {
            return manager.get(s.batcher()).start(s.state()).thenApply(started -> new Response.Started(started).toFrame(id));
        }
        if (request instanceof Request.Take t) {
            CompletableFuture<TakeOutcome> taking = manager.get(t.batcher()).take(t.state());
            pending.put(id, taking);
            return taking.thenApply(outcome -> take(id, outcome));
        }
        if (request instanceof Request.Stop s) {
            return manager.get(s.batcher()).stop().thenApply(v -> new Response.Stopped().toFrame(id));
        }
        if (request instanceof Request.StatusQuery s) {
            return manager.get(s.batcher()).status().thenApply(status -> new Response.StatusReport(status).toFrame(id));
        }
        return list(id);
    }

    private CompletableFuture<Frame> list(long id) {
        List<CompletableFuture<BatcherStatus>> all = new ArrayList<>();
        for (String name : manager.names()) {
            all.add(manager.get(name).status());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> new Response.Listing(all.stream().map(CompletableFuture::join).toList()).toFrame(id));
    }

    private Frame take(long id, TakeOutcome outcome) {
        if (outcome instanceof TakeOutcome.End end) {
            return new Response.End(end.last()).toFrame(id);
        }
        TakeOutcome.Next next = (TakeOutcome.Next) outcome;
        if (sharesMemory && next.batch().payload() instanceof ArenaSlotBuf slot) {
            // The client reads the slot in place; it keeps the slot (this reference) until it releases it.
            ArenaTarget t = slot.target();
            ArenaRef ref = new ArenaRef(t.arena().path().toString(), t.slot(), t.offset(), slot.readableBytes());
            Frame frame = new BatchMessage(next.state(), next.previous(), next.batch().tensors(), ref).toFrame(id);
            held.put(id, slot);
            if (inactive) {
                releaseHeld(id);
            }
            return frame;
        }
        return new BatchMessage(next.state(), next.previous(), next.batch().tensors()).toFrame(id, next.batch().payload());
    }

    private void releaseHeld(long id) {
        ArenaSlotBuf slot = held.remove(id);
        if (slot != null) {
            slot.release();
        }
    }

    static Frame errorFrame(long id, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof BatcherFailedException failed) {
            return ErrorFrames.failed(id, failed.batcher(), failed.failure());
        }
        String code = e instanceof NotRunningException ? ErrorFrames.CODE_NOT_RUNNING
                : e instanceof ProtocolException p ? p.code()
                : e instanceof ServiceException || e instanceof MaterializerException || e instanceof IllegalArgumentException
                        ? ErrorFrames.CODE_BAD_REQUEST
                        : ErrorFrames.CODE_INTERNAL;
        return ErrorFrames.error(id, code, e, Map.of());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A client that went away holds no slot any more, and takes nothing more: withdraw its waiting takes.
        inactive = true;
        for (Long id : List.copyOf(held.keySet())) {
            releaseHeld(id);
        }
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
