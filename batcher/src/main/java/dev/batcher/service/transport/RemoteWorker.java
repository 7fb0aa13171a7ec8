package dev.batcher.service.transport;

import dev.batcher.client.RemoteBatcherException;
import dev.batcher.protocol.ErrorFrames;
import dev.batcher.protocol.Frame;
import dev.batcher.protocol.Cancel;
import dev.batcher.protocol.JobMessage;
import dev.batcher.protocol.JobResult;
import dev.batcher.protocol.ProtocolException;
import dev.batcher.protocol.Tensors;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.JobFailedException;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerLostException;
import dev.batcher.service.pool.WorkerPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
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
    private static final Logger log = LoggerFactory.getLogger(RemoteWorker.class);

    private final String name;
    private final int slots;
    private final Channel channel;
    private final WorkerPool pool;
    private final ResultShapes shapes;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile String lostBecause;
    private volatile boolean saidGoodbye;
    /** Results rejected; event loop only. */
    private long rejected;

    /** A job sent and not yet answered, and the shapes its result must have. */
    private record Pending(CompletableFuture<Materialized> future, CompletableFuture<Tensors> expected) {}

    RemoteWorker(String name, int slots, Channel channel, WorkerPool pool, ResultShapes shapes) {
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
    public CompletableFuture<Materialized> submit(Job job) {
        CompletableFuture<Materialized> f = new CompletableFuture<>();
        if (lostBecause != null) {
            f.completeExceptionally(new WorkerLostException(name, lostBecause));
            return f;
        }
        pending.put(job.id(), new Pending(f, shapes.expected(job)));
        JobMessage message = new JobMessage(job.batcher(), job.dataset(), job.options(), job.spec());
        channel.writeAndFlush(message.toFrame(job.id())).addListener(w -> {
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
        Tensors got;
        try {
            got = JobResult.decode(frame).tensors();
        } catch (ProtocolException e) {
            rejectResult(ctx, id, e.getMessage());
            return;
        }
        ByteBuf payload = frame.retainedPayload();
        p.expected().whenCompleteAsync((expected, error) -> {
            if (expected != null && !expected.equals(got)) {
                payload.release();
                rejectResult(ctx, id, "shapes " + got + " (expected: " + expected + ", what job " + id + "'s spec implies)");
                return;
            }
            Materialized m = new Materialized(got.xShape(), got.yShape(), payload);
            if (pending.remove(id, p) && p.future().complete(m)) {
                return;
            }
            m.release();
        }, ctx.executor());
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
