package dev.batcher.service.worker;

import dev.batcher.client.RemoteBatcherException;
import dev.batcher.client.arena.ArenaException;
import dev.batcher.client.arena.ArenaViews;
import dev.batcher.api.BatchShapes;
import dev.batcher.client.protocol.ArenaRef;
import dev.batcher.client.protocol.ErrorFrames;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.JobMessage;
import dev.batcher.client.protocol.JobResult;
import dev.batcher.service.pool.StorageReport;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.assembly.ItemException;
import dev.batcher.service.pool.JobFailedException;
import dev.batcher.service.pool.MaterializerCache;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Payloads;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker side of a manager connection: runs each {@code JOB} on the executor and answers it. */
final class JobHandler extends SimpleChannelInboundHandler<Frame> {
    private static final Logger log = LoggerFactory.getLogger(JobHandler.class);
    private final String name;
    private final Executor executor;
    private final MaterializerCache materializers;
    /** Jobs received and not yet answered, and whether each was cancelled; a late CANCEL finds nothing. */
    private final Map<Long, Boolean> live = new ConcurrentHashMap<>();

    /** The daemon's arenas, mapped read-write, for jobs that name a shared-memory slot. */
    private final ArenaViews arenas = new ArenaViews(true, 8);
    private volatile boolean arenaWarned;

    JobHandler(String name, Executor executor, MaterializerCache materializers) {
        this.name = name;
        this.executor = executor;
        this.materializers = materializers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (frame.type()) {
            case JOB -> {
                long id = frame.id();
                Channel ch = ctx.channel();
                JobMessage job;
                try {
                    job = JobMessage.decode(frame);
                } catch (ProtocolException e) {
                    // A job this worker cannot read fails alone; the connection stays up.
                    ch.writeAndFlush(ErrorFrames.jobFailure(id, e, Map.of(RemoteBatcherException.CONTEXT_WORKER, name)));
                    return;
                }
                live.put(id, Boolean.FALSE);
                executor.execute(() -> {
                    try {
                        run(ch, id, job);
                    } finally {
                        live.remove(id);
                    }
                });
            }
            case CANCEL -> live.computeIfPresent(frame.id(), (k, v) -> Boolean.TRUE);
            case GOODBYE -> ctx.close();
            default -> log.warn("manager sent an unexpected {} frame; ignoring it", frame.type());
        }
    }

    private void run(Channel ch, long id, JobMessage job) {
        // Every job is answered, cancelled or not: the manager frees the job's slot when the answer arrives.
        if (live.getOrDefault(id, Boolean.FALSE)) {
            answerCancelled(ch, id);
            return;
        }
        try (MaterializerCache.Busy busy = materializers.busy()) {
            ByteBuffer slot = slot(job.arena());
            Materialized m;
            if (slot == null) {
                m = Payloads.materialize(materializers.get(job.dataset(), job.options()), job.spec(), ch.alloc());
            } else {
                // Straight into the daemon's shared memory; only if the batch is bigger than the slot, into a buffer.
                ByteBuf[] buffer = new ByteBuf[1];
                BatchShapes layout = materializers.get(job.dataset(), job.options()).materializeInto(job.spec(), l -> {
                    if (l.bytes() <= slot.capacity()) {
                        return slot;
                    }
                    int n = Math.toIntExact(l.bytes());
                    buffer[0] = ch.alloc().directBuffer(n, n);
                    return buffer[0].nioBuffer(0, n);
                });
                if (buffer[0] == null) {
                    if (live.getOrDefault(id, Boolean.FALSE)) {
                        answerCancelled(ch, id);
                    } else {
                        StorageReport report = materializers.report(job.dataset(), job.spec());
                        ch.writeAndFlush(new JobResult(layout, job.arena().withBytes(layout.bytes()))
                                .toFrame(id, report == null ? null : report::writeTo));
                    }
                    return;
                }
                buffer[0].writerIndex(Math.toIntExact(layout.bytes()));
                m = new Materialized(layout, buffer[0]);
            }
            if (live.getOrDefault(id, Boolean.FALSE)) {
                m.release();
                answerCancelled(ch, id);
                return;
            }
            StorageReport report = materializers.report(job.dataset(), job.spec());
            ch.writeAndFlush(new JobResult(m.tensors()).toFrame(id, m.payload(), report == null ? null : report::writeTo))
                    .addListener(f -> {
                if (!f.isSuccess() && ch.isActive()) {
                    // Nothing was sent (a result above the maximum frame length fails before its first byte): say why,
                    // so the manager retries or fails the batch with this cause instead of waiting for it for ever.
                    log.warn("job {}: sending its result failed: {}", id, f.cause().toString());
                    ch.writeAndFlush(ErrorFrames.jobFailure(id, f.cause(), Map.of(RemoteBatcherException.CONTEXT_WORKER, name)));
                }
            });
        } catch (Exception | Error e) {
            Map<String, String> context = new LinkedHashMap<>();
            context.put(RemoteBatcherException.CONTEXT_WORKER, name);
            if (e instanceof ItemException me) {
                context.put(RemoteBatcherException.CONTEXT_FILE, me.item().file());
                context.put(RemoteBatcherException.CONTEXT_WINDOW, me.item().describe());
            }
            if (MaterializerException.isDeterministic(e)) {
                context.put(JobFailedException.CONTEXT_DETERMINISTIC, "true");
            }
            if (ch.isActive()) {
                ch.writeAndFlush(ErrorFrames.jobFailure(id, e, context));
            }
            if (e instanceof Error err && !(e instanceof OutOfMemoryError)) {
                throw err;
            }
        }
    }

    /** Maps the slot a job names, or returns null (no slot, or the arena cannot be mapped: TCP then). */
    private ByteBuffer slot(ArenaRef ref) {
        if (ref == null) {
            return null;
        }
        try {
            return arenas.get(Path.of(ref.file())).slice(ref.offset(), ref.bytes());
        } catch (ArenaException e) {
            if (!arenaWarned) {
                arenaWarned = true;
                log.warn("cannot write into the daemon's shared memory, sending batches over TCP: {}", e.getMessage());
            }
            return null;
        }
    }

    private void answerCancelled(Channel ch, long id) {
        ch.writeAndFlush(ErrorFrames.jobFailure(id, new java.util.concurrent.CancellationException("job " + id + " cancelled"),
                Map.of(RemoteBatcherException.CONTEXT_WORKER, name)));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("connection to the manager failed: {}", cause.toString());
        ctx.close();
    }
}
