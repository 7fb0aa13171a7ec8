package dev.batcher.service.transport;

import dev.batcher.api.BatchShapes;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.Cancel;
import dev.batcher.client.protocol.JobMessage;
import dev.batcher.client.protocol.ArenaRef;
import dev.batcher.client.protocol.JobResult;
import dev.batcher.service.pool.StorageReport;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.JobFailedException;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerLostException;
import dev.batcher.service.pool.WorkerPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.batcher.client.protocol.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process on the far end of a connection, as the pool sees it; also the business handler of
 * that connection. Results arrive as {@code JOB_RESULT} frames whose payload is kept as it was
 * received (a retained slice, no copy) until a client takes it.
 */
final class RemoteWorker extends SimpleChannelInboundHandler<Frame> implements Worker {
    /** Reports not yet drained by the pool; guarded by this. */
    private final StorageReport.Pending storage = new StorageReport.Pending();
    private static final Logger log = LoggerFactory.getLogger(RemoteWorker.class);

    private final String name;
    private final int slots;
    private final Channel channel;
    private final WorkerPool pool;
    private final ResultShapes shapes;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile String lostBecause;
    /** When anything last arrived on the connection (System.nanoTime), stamped at the head of the pipeline. */
    private volatile long lastHeard = System.nanoTime();
    /** Ids of the PINGs sent as probes; the worker's connection answers each with a PONG. */
    private long probes;
    private volatile boolean saidGoodbye;
    /** Results rejected; event loop only. */
    private long rejected;

    private final boolean sharesMemory;
    /** Completes when the worker's process has exited; null if the daemon did not start it. */
    private final CompletableFuture<?> processExit;

    /**
     * A job sent and not yet answered, the shapes its result must have, and the shared-memory slot it
     * was told to write into (null for none).
     */
    private record Pending(CompletableFuture<Materialized> future, CompletableFuture<BatchShapes> expected, ArenaTarget target) {}

    RemoteWorker(String name, int slots, Channel channel, WorkerPool pool, ResultShapes shapes, boolean sharesMemory,
            CompletableFuture<?> processExit) {
        this.processExit = processExit;
        this.sharesMemory = sharesMemory;
        this.shapes = shapes;
        this.name = name;
        this.slots = slots;
        this.channel = channel;
        this.pool = pool;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public boolean sharesMemory() {
        return sharesMemory;
    }

    @Override
    public CompletableFuture<?> processExit() {
        return processExit;
    }

    @Override
    public CompletableFuture<Materialized> submit(Job job) {
        CompletableFuture<Materialized> f = new CompletableFuture<>();
        if (lostBecause != null) {
            f.completeExceptionally(new WorkerLostException(name, lostBecause));
            return f;
        }
        ArenaTarget target = sharesMemory ? job.target() : null;
        pending.put(job.id(), new Pending(f, shapes.expected(job), target));
        ArenaRef ref = target == null ? null
                : new ArenaRef(target.arena().path().toString(), target.slot(), target.offset(), target.bytes());
        JobMessage message = new JobMessage(job.batcher(), job.dataset(), job.options(), job.spec(), ref);
        channel.writeAndFlush(message.toFrame(job.id(), channel.alloc())).addListener(w -> {
            if (!w.isSuccess()) {
                fail(job.id(), new WorkerLostException(name, "sending the job failed: " + w.cause()));
            }
        });
        // The connection may have dropped between the check and the put.
        if (lostBecause != null) {
            fail(job.id(), new WorkerLostException(name, lostBecause));
        }
        return f;
    }

    private void fail(long id, Throwable t) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.future().completeExceptionally(t);
        }
    }

    @Override
    public long lastHeardNanos() {
        return lastHeard;
    }

    @Override
    public void probe() {
        if (channel.isActive()) {
            channel.writeAndFlush(Frame.of(MessageType.PING, PROBE_IDS + ++probes));
        }
    }

    /** Probe PINGs count from here, apart from the heartbeat's own (1, 2, ...), for packet captures. */
    private static final long PROBE_IDS = 1L << 40;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Everything read counts, at the head of the pipeline: heartbeats (PONG, which the heartbeat handler
        // swallows) and the first bytes of a large result as much as whole frames.
        ctx.pipeline().addFirst("heard", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                lastHeard = System.nanoTime();
                c.fireChannelRead(msg);
            }
        });
    }

    @Override
    public void cancel(long jobId) {
        if (channel.isActive()) {
            channel.writeAndFlush(new Cancel(null).toFrame(jobId));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case JOB_RESULT -> result(ctx, frame);
            case JOB_FAILURE -> {
                Pending p = pending.remove(frame.id());
                if (p != null) {
                    RemoteBatcherException e = ErrorFrames.toException(frame);
                    p.future().completeExceptionally(new JobFailedException(name, e.remoteClass(), e.remoteMessage(), e.remoteStack(),
                            "true".equals(e.context().get(JobFailedException.CONTEXT_DETERMINISTIC))));
                }
            }
            case GOODBYE -> saidGoodbye = true;
            default -> {
                log.warn("worker {} sent an unexpected {} frame; closing its connection", name, frame.type());
                ctx.close();
            }
        }
    }

    @Override
    public StorageReport drainStorage() {
        return storage.drain();
    }

    /**
     * Accepts a result only if its shapes are what the job's spec implies. A result that is not is
     * not delivered: the worker is dropped (a worker that forges or garbles one result cannot be
     * trusted with the next), so this job and its others go to other workers.
     */
    private void result(ChannelHandlerContext ctx, Frame frame) {
        long id = frame.id();
        Pending p = pending.get(id);
        if (p == null) {
            return; // cancelled or already failed: the answer is dropped
        }
        BatchShapes got;
        ArenaRef arena;
        try {
            JobResult result = JobResult.decode(frame);
            got = result.tensors();
            arena = result.arena();
            storage.add(StorageReport.readFrom(frame.header()));
            checkArena(arena, p.target());
        } catch (ProtocolException e) {
            rejectResult(ctx, id, e.getMessage());
            return;
        }
        ByteBuf payload = arena == null ? frame.retainedPayload() : null;
        p.expected().whenCompleteAsync((expected, error) -> {
            if (expected != null && !expected.equals(got)) {
                if (payload != null) {
                    payload.release();
                }
                rejectResult(ctx, id, "shapes " + got + " (expected: " + expected + ", what job " + id + "'s spec implies)");
                return;
            }
            // In shared memory: the job's slot, owned by the result from now on. Else the payload as received.
            Materialized m = new Materialized(got,
                    payload != null ? payload : p.target().written(Math.toIntExact(arena.bytes())));
            if (pending.remove(id, p) && p.future().complete(m)) {
                return;
            }
            if (payload != null) {
                m.release(); // a slot stays the job's: its batcher frees it when the job's future completes
            }
        }, ctx.executor());
    }

    /** A result in shared memory must lie in the slot its job named, within the slot. */
    private static void checkArena(ArenaRef got, ArenaTarget target) {
        if (got == null) {
            return;
        }
        if (target == null) {
            throw new ProtocolException("jobResult.arena", got, "absent: the job named no shared-memory slot");
        }
        if (!got.file().equals(target.arena().path().toString()) || got.slot() != target.slot() || got.offset() != target.offset()
                || got.bytes() > target.bytes()) {
            throw new ProtocolException("jobResult.arena", got, "the job's slot " + target.slot() + " at offset " + target.offset()
                    + " of " + target.arena().path() + ", at most " + target.bytes() + " bytes");
        }
    }

    private void rejectResult(ChannelHandlerContext ctx, long id, String why) {
        shapes.reject();
        if (rejected++ == 0) {
            log.warn("worker {} sent a result the daemon rejects, job {}: {}; dropping the worker, its jobs go to others",
                    name, id, why);
        }
        lost("it sent a rejected result for job " + id + ": " + why);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lost("its connection closed");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("worker {}: {}; closing its connection", name, cause.toString());
        ctx.close();
    }

    private void lost(String why) {
        if (lostBecause != null) {
            return;
        }
        lostBecause = why;
        if (saidGoodbye && pending.isEmpty()) {
            log.info("worker {} left the pool: it said goodbye", name);
        } else {
            log.warn("worker {} left the pool: {}", name, why);
        }
        pool.leave(this);
        List<Long> ids = new ArrayList<>(pending.keySet());
        for (Long id : ids) {
            fail(id, new WorkerLostException(name, why));
        }
    }

    @Override
    public String toString() {
        return "RemoteWorker[" + name + ", " + slots + " slots]";
    }
}
