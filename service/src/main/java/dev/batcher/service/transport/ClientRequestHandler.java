package dev.batcher.service.transport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.client.BatcherStatus;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.client.protocol.ArenaRef;
import dev.batcher.client.protocol.BatchMessage;
import dev.batcher.service.pool.ArenaSlotBuf;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.Response;
import dev.batcher.service.ServiceException;
import dev.batcher.service.manager.BatcherFailedException;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.Manager;
import dev.batcher.service.manager.NotRunningException;
import dev.batcher.service.manager.TakeOutcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client connection: the operations of section 12.1 of {@code docs/protocol.md}. A batch's
 * payload goes to the client as the worker sent it, without a copy.
 *
 * <h2>In order</h2>
 * Requests are started in the order they arrive: a request that changes a batcher ({@code create},
 * {@code start}, {@code stop}) is finished before the next one starts, so a {@code start} pipelined
 * right behind its {@code create} finds the batcher. A {@code take} is started as soon as it is
 * queued with its batcher (the batcher answers takes in order); {@code status} and {@code list} do
 * not hold up what follows.
 *
 * <h2>Bounded memory whatever the client does</h2>
 * <pre>
 *   socket --&gt; [queued requests, &lt;= maxQueued] --&gt; [takes started, answer not yet written, &lt;= maxOutstandingTakes]
 *                  full: stop reading                 full, or channel not writable: next take waits
 * </pre>
 * A take counts until its answer has been written to the socket, so a client that pipelines takes
 * and never reads holds at most {@code maxOutstandingTakes} batches in the daemon; once its queue is
 * full the daemon stops reading from it ({@code autoRead} off) until answers drain.
 *
 * <p>All state is confined to the channel's event loop: the manager's completions hop there through
 * {@code answers} (the event loop unless a test passes another executor).
 */
final class ClientRequestHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestHandler.class);
    /** Takes whose answers may be in the daemon at once, per connection: a few batches of prefetch. */
    static final int DEFAULT_MAX_OUTSTANDING_TAKES = 4;
    /** Requests received and not yet started, per connection, before the daemon stops reading. */
    static final int DEFAULT_MAX_QUEUED = 64;

    private record Queued(long id, JsonNode header, boolean take) {}

    private final Manager manager;
    private final Executor blocking;
    private final String peer;
    private final int maxOutstandingTakes;
    private final int maxQueued;
    private final Executor answersOverride;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    /** Started requests not yet answered, by id, so that a client's CANCEL can withdraw them. */
    private final Map<Long, CompletableFuture<?>> started = new HashMap<>();
    private Channel channel;
    private Executor answers;
    private int outstandingTakes;
    private boolean busy;
    private boolean inactive;

    /** Whether the client runs on this host and reads batches in shared memory (set once, at construction). */
    private boolean sharesMemory;
    /**
     * Batches in shared memory that the client holds, by the id of the take they answered: each keeps
     * its slot until the client's RELEASE or the connection's close. Filled on the manager's thread.
     */
    private final Map<Long, ArenaSlotBuf> held = new java.util.concurrent.ConcurrentHashMap<>();

    ClientRequestHandler(Manager manager, Executor blocking, String peer) {
        this(manager, blocking, peer, DEFAULT_MAX_OUTSTANDING_TAKES, DEFAULT_MAX_QUEUED, null);
    }

    ClientRequestHandler(Manager manager, Executor blocking, String peer, boolean sharesMemory) {
        this(manager, blocking, peer, DEFAULT_MAX_OUTSTANDING_TAKES, DEFAULT_MAX_QUEUED, null, sharesMemory);
    }

    /**
     * @param answers where completions hop to run on the channel's thread; null for its event loop
     * @param sharesMemory whether the client runs on this host and reads batches in shared memory
     */
    ClientRequestHandler(Manager manager, Executor blocking, String peer, int maxOutstandingTakes, int maxQueued,
            Executor answers, boolean sharesMemory) {
        this(manager, blocking, peer, maxOutstandingTakes, maxQueued, answers);
        this.sharesMemory = sharesMemory;
    }

    /**
     * @param answers where completions hop to run on the channel's thread; null for its event loop
     */
    ClientRequestHandler(Manager manager, Executor blocking, String peer, int maxOutstandingTakes, int maxQueued,
            Executor answers) {
        if (maxOutstandingTakes < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("maxOutstandingTakes: " + maxOutstandingTakes + ", maxQueued: " + maxQueued
                    + " (expected: >= 1)");
        }
        this.manager = manager;
        this.blocking = blocking;
        this.peer = peer;
        this.maxOutstandingTakes = maxOutstandingTakes;
        this.maxQueued = maxQueued;
        this.answersOverride = answers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        Executor loop = answersOverride != null ? answersOverride : ctx.executor();
        answers = task -> {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // the loop is gone: the channel is closed, so the task only releases what it holds
            }
        };
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case REQUEST -> {
                boolean take = Op.TAKE.wireName().equals(frame.header().path("op").asText(null));
                queue.add(new Queued(frame.id(), frame.header(), take));
                pump();
            }
            case CANCEL -> cancel(frame.id());
            case RELEASE -> releaseHeld(frame.id());
            case GOODBYE -> { }
            default -> {
                ProtocolException e = new ProtocolException("type", frame.type().name(),
                        "REQUEST, CANCEL, RELEASE or GOODBYE from a client");
                ctx.writeAndFlush(ErrorFrames.error(0, ErrorFrames.CODE_PROTOCOL, e, Map.of())).addListener(f -> ctx.close());
            }
        }
    }

    private void cancel(long id) {
        CompletableFuture<?> f = started.remove(id);
        if (f != null) {
            f.cancel(false);
            return;
        }
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.id() == id) {
                it.remove();
                channel.writeAndFlush(ErrorFrames.error(id, new CancellationException("request " + id + " cancelled"), Map.of()));
                pump();
                return;
            }
        }
    }

    /** Starts queued requests while the rules allow, then reads on only if the queue has room. */
    private void pump() {
        while (!inactive && !busy && !queue.isEmpty()) {
            Queued q = queue.peek();
            if (q.take() && (outstandingTakes >= maxOutstandingTakes || !channel.isWritable())) {
                break;
            }
            queue.poll();
            start(q);
        }
        boolean read = queue.size() < maxQueued;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    private void start(Queued q) {
        long id = q.id();
        Request request;
        CompletableFuture<Frame> answer;
        try {
            request = Request.decode(q.header());
            answer = dispatch(id, request);
        } catch (RuntimeException e) {
            request = null;
            answer = CompletableFuture.failedFuture(e);
        }
        boolean take = request instanceof Request.Take;
        boolean blocks = request instanceof Request.Create || request instanceof Request.Start || request instanceof Request.Stop;
        if (take) {
            outstandingTakes++;
        }
        if (blocks) {
            busy = true;
        }
        answer.whenCompleteAsync((frame, error) -> answered(id, take, blocks, frame, error), answers);
    }

    private void answered(long id, boolean take, boolean blocks, Frame frame, Throwable error) {
        started.remove(id);
        if (inactive) {
            releaseHeld(id); // registered after the connection closed
        }
        Frame out = error == null ? frame : errorFrame(id, error);
        channel.writeAndFlush(out).addListener(w -> {
            if (!w.isSuccess()) {
                releaseHeld(id);
            }
            if (!w.isSuccess() && channel.isActive()) {
                log.warn("answering request {} of client {} failed: {}", id, peer, w.cause().toString());
                if (error == null) {
                    // Nothing was sent (a batch above the maximum frame length fails before its first byte):
                    // answer with the cause rather than leave the client waiting until its timeout.
                    channel.writeAndFlush(ErrorFrames.error(id, ErrorFrames.CODE_INTERNAL, w.cause(), Map.of()));
                }
            }
            if (take) {
                outstandingTakes--;
                pump();
            }
        });
        if (blocks) {
            busy = false;
            pump();
        }
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
            return manager.get(s.batcher()).start(s.state()).thenApply(ok -> new Response.Started(ok).toFrame(id));
        }
        if (request instanceof Request.Take t) {
            CompletableFuture<TakeOutcome> taking = manager.get(t.batcher()).take(t.state());
            started.put(id, taking);
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
        // One snapshot of the batchers: one could leave (closed retention) between names() and get().
        for (ManagedBatcher b : manager.batchers()) {
            all.add(b.status());
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
            // The client reads the slot in place and keeps it (this reference) until it releases it.
            ArenaTarget t = slot.target();
            ArenaRef ref = new ArenaRef(t.arena().path().toString(), t.slot(), t.offset(), slot.readableBytes());
            Frame frame = new BatchMessage(next.state(), next.previous(), next.batch().tensors(), ref).toFrame(id);
            held.put(id, slot);
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
                        : ErrorFrames.codeOf(e);
        return ErrorFrames.error(id, code, e, Map.of());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // A client that went away holds no slot any more and takes nothing more: free its slots, withdraw its
        // waiting takes and queued requests.
        inactive = true;
        for (Long id : new ArrayList<>(held.keySet())) {
            releaseHeld(id);
        }
        queue.clear();
        for (CompletableFuture<?> f : new ArrayList<>(started.values())) {
            f.cancel(false);
        }
        started.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("client {}: {}; closing its connection", peer, cause.toString());
        ctx.close();
    }
}
