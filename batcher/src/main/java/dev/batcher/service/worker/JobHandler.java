package dev.batcher.service.worker;

import dev.batcher.client.RemoteBatcherException;
import dev.batcher.protocol.ErrorFrames;
import dev.batcher.protocol.Frame;
import dev.batcher.protocol.JobMessage;
import dev.batcher.protocol.JobResult;
import dev.batcher.protocol.ProtocolException;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.materialize.MaterializeException;
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
        try {
            Materialized m = Payloads.materialize(materializers.get(job.dataset(), job.options()), job.spec(), ch.alloc());
            if (live.getOrDefault(id, Boolean.FALSE)) {
                m.release();
                answerCancelled(ch, id);
                return;
            }
            ch.writeAndFlush(new JobResult(m.tensors()).toFrame(id, m.payload())).addListener(f -> {
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
            if (e instanceof MaterializeException me) {
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
