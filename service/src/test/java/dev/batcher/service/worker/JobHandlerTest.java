package dev.batcher.service.worker;

import dev.batcher.materializers.iteration.BatchSources;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.RemoteBatcherException;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.BatchSpec;
import dev.batcher.client.protocol.Cancel;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.JobMessage;
import dev.batcher.client.protocol.JobResult;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.service.TestData;
import dev.batcher.service.pool.MaterializerCache;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker's job handler on an {@link EmbeddedChannel}, its jobs run on the test thread when the
 * test says: a job is answered with the tensors the materialiser makes, a malformed job and a
 * cancelled job with a {@code JOB_FAILURE}; no buffer leaks.
 */
@ExtendWith(LeakCheck.class)
class JobHandlerTest {
    private final ArrayDeque<Runnable> jobs = new ArrayDeque<>();
    private final MaterializerCache materializers = new MaterializerCache(List.of(), 8, Kernels.defaults());
    private final EmbeddedChannel channel = new EmbeddedChannel(new JobHandler("w", jobs::add, materializers));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        materializers.close();
    }

    private static BatchSpec spec() {
        Dataset dataset = Dataset.load(TestData.dataset());
        BatchSource source = BatchSources.build(new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null), dataset.signals());
        return ((Step.Next) source.next(BatchState.initial(3))).spec();
    }

    private static JobMessage job(BatchSpec spec) {
        return new JobMessage("b", TestData.dataset().toString(), MaterializeOptions.defaults(), spec);
    }

    private void runJobs() {
        Runnable r;
        while ((r = jobs.poll()) != null) {
            r.run();
        }
    }

    @Test
    void job_valid_answersTheMaterialisedTensors() throws Exception {
        BatchSpec spec = spec();
        channel.writeInbound(job(spec).toFrame(5, channel.alloc()));
        runJobs();
        Frame result = channel.readOutbound();
        try (RecordingFiles files = new RecordingFiles(List.of(TestData.dataset()), 4);
                Batch expected = new Materializer(files, MaterializeOptions.defaults(), Kernels.scalar()).materialize(spec)) {
            assertEquals(MessageType.JOB_RESULT, result.type());
            assertEquals(5, result.id());
            JobResult r = JobResult.decode(result);
            assertArrayEquals(expected.xShape(), r.tensors().xShape());
            assertArrayEquals(expected.yShape(), r.tensors().yShape());
            java.nio.FloatBuffer x = result.payload().nioBuffer(result.payload().readerIndex(), Math.toIntExact(r.tensors().xBytes()))
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            assertEquals(expected.x(), x, "x as the materialiser makes it");
        } finally {
            result.release();
        }
    }

    @Test
    void job_idleSlotLent_helperReadsAndSameTensors() throws Exception {
        try (MaterializerCache lent = new MaterializerCache(List.of(), 8, Kernels.defaults())) {
            lent.lendIdleSlots(2); // as WorkerNode does for a worker process with --slots 2
            EmbeddedChannel ch = new EmbeddedChannel(new JobHandler("w", jobs::add, lent));
            BatchSpec spec = spec();
            ch.writeInbound(job(spec).toFrame(8, ch.alloc()));
            runJobs();
            Frame result = ch.readOutbound();
            try (RecordingFiles files = new RecordingFiles(List.of(TestData.dataset()), 4);
                    Batch expected = new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults()).materialize(spec)) {
                assertEquals(MessageType.JOB_RESULT, result.type());
                JobResult r = JobResult.decode(result);
                java.nio.FloatBuffer x = result.payload().nioBuffer(result.payload().readerIndex(), Math.toIntExact(r.tensors().xBytes()))
                        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                assertEquals(expected.x(), x, "x as the materialiser makes it on one thread");
            } finally {
                result.release();
                ch.finishAndReleaseAll();
            }
            assertEquals(1, lent.readHelpersStarted(), "the idle one of 2 slots helps the batch");
        }
    }

    @Test
    void job_malformed_jobFailureNamingTheField() {
        channel.writeInbound(Frame.of(MessageType.JOB, 6, job(spec()).toHeader().put("dataset", 1)));
        Frame failure = channel.readOutbound();
        try {
            assertEquals(MessageType.JOB_FAILURE, failure.type());
            RemoteBatcherException e = ErrorFrames.toException(failure);
            assertTrue(e.remoteMessage().startsWith("job.dataset: 1 (expected: a string)"), e.remoteMessage());
            assertEquals("w", e.context().get(RemoteBatcherException.CONTEXT_WORKER));
        } finally {
            failure.release();
        }
        assertNull(channel.readOutbound());
        assertTrue(jobs.isEmpty(), "nothing to run");
    }

    @Test
    void job_cancelledBeforeItRuns_answeredCancelled() {
        channel.writeInbound(job(spec()).toFrame(7, channel.alloc()));
        channel.writeInbound(new Cancel("test").toFrame(7));
        runJobs();
        Frame failure = channel.readOutbound();
        try {
            assertEquals(MessageType.JOB_FAILURE, failure.type());
            assertEquals(ErrorFrames.CODE_CANCELLED, ErrorFrames.toException(failure).code());
        } finally {
            failure.release();
        }
    }
}
