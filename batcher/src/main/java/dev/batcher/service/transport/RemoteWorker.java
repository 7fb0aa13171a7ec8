package dev.batcher.service.transport;

import dev.batcher.client.RemoteBatcherException;
import dev.batcher.protocol.ErrorFrames;
import dev.batcher.protocol.Frame;
import dev.batcher.protocol.Cancel;
import dev.batcher.protocol.JobMessage;
import dev.batcher.protocol.JobResult;
import dev.batcher.service.pool.StorageReport;
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
import io.netty.channel.ChannelInboundHandlerAdapter;
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
final class RemoteWorker extends ChannelInboundHandlerAdapter implements Worker {
    /** Reports not yet drained by the pool; guarded by this. */
    private StorageReport storage;
    private static final Logger log = LoggerFactory.getLogger(RemoteWorker.class);

    private final String name;
    private final int slots;
    private final Channel channel;
    private final WorkerPool pool;
    private final Map<Long, CompletableFuture<Materialized>> pending = new ConcurrentHashMap<>();
    private volatile String lostBecause;
    private volatile boolean saidGoodbye;

    RemoteWorker(String name, int slots, Channel channel, WorkerPool pool) {
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
        pending.put(job.id(), f);
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
        CompletableFuture<Materialized> f = pending.remove(id);
        if (f != null) {
            f.completeExceptionally(t);
        }
    }

    @Override
    public void cancel(long jobId) {
        if (channel.isActive()) {
            channel.writeAndFlush(new Cancel(null).toFrame(jobId));
        }
    }

    private synchronized void note(StorageReport r) {
        if (r != null) {
            storage = storage == null ? r : storage.then(r);
        }
    }

    @Override
    public synchronized StorageReport drainStorage() {
        StorageReport r = storage;
        storage = null;
        return r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (frame.type()) {
                case JOB_RESULT -> {
                    CompletableFuture<Materialized> f = pending.remove(frame.id());
                    if (f != null) {
                        JobResult result;
                        try {
                            result = JobResult.decode(frame);
                        } catch (ProtocolException e) {
                            f.completeExceptionally(new JobFailedException(name, e.getClass().getName(), e.getMessage(), ""));
                            return;
                        }
                        Tensors t = result.tensors();
                        note(StorageReport.readFrom(frame.header()));
                        Materialized m = new Materialized(t.xShape(), t.yShape(), frame.retainedPayload());
                        if (!f.complete(m)) {
                            m.release();
                        }
                    }
                }
                case JOB_FAILURE -> {
                    CompletableFuture<Materialized> f = pending.remove(frame.id());
                    if (f != null) {
                        RemoteBatcherException e = ErrorFrames.toException(frame);
                        f.completeExceptionally(new JobFailedException(name, e.remoteClass(), e.remoteMessage(), e.remoteStack()));
                    }
                }
                case GOODBYE -> saidGoodbye = true;
                default -> {
                    log.warn("worker {} sent an unexpected {} frame; closing its connection", name, frame.type());
                    ctx.close();
                }
            }
        } finally {
            frame.release();
        }
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
