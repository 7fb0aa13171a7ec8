package dev.batcher.service;

import dev.batcher.materializers.iteration.BatchSources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.batcher.client.BatcherSpec;
import dev.batcher.client.Status;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.service.manager.BatcherFailedException;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.worker.WorkerNode;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon with worker nodes connected over loopback, driven through its manager. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(120)
class WorkerNodeIntegrationTest {
    static final SourceConfig SOURCE = new SourceConfig.Random(4, 30, null, "fill:C3,C4,F3,F4", null, null);

    static BatcherDaemon.Options noLocalSlots() {
        return BatcherDaemon.Options.defaults().withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withManagerSlots(0);
    }

    static WorkerNode worker(BatcherDaemon d, String name, int slots) throws InterruptedException {
        return WorkerNode.connect(new WorkerNode.Options(d.address(), null, name, slots, List.of(), null), 10_000);
    }

    @Test
    void take_throughRemoteWorkers_bytesEqualTheLocalBatcher() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(noLocalSlots());
                WorkerNode w1 = worker(d, "w1", 2);
                WorkerNode w2 = worker(d, "w2", 1)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get() == 3);
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), SOURCE));
            Dataset ds = Dataset.load(TestData.dataset());
            try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                    LocalBatcher local = new LocalBatcher(BatchSources.build(SOURCE, ds.signals()),
                            new Materializer(files, MaterializeOptions.defaults(), Kernels.scalar()))) {
                BatchState s = BatchState.initial(11);
                b.start(s).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 12; i++) {
                    TakeOutcome.Next remote = (TakeOutcome.Next) b.take(s).get(30, TimeUnit.SECONDS);
                    Taken.Next expected = (Taken.Next) local.take(s);
                    try (Batch e = expected.batch()) {
                        assertEquals(expected.state(), remote.state());
                        assertPayloadEquals(e, remote.batch().payload());
                    } finally {
                        remote.batch().release();
                    }
                    s = remote.state();
                }
            }
            b.stop().get(10, TimeUnit.SECONDS);
        }
    }

    static void assertPayloadEquals(Batch expected, ByteBuf payload) {
        ByteBuffer bytes = payload.nioBuffer().order(ByteOrder.LITTLE_ENDIAN);
        var x = expected.x();
        assertEquals(x.remaining() * 4 + expected.y().remaining() * 4, bytes.remaining());
        for (int i = 0; i < x.remaining(); i++) {
            assertEquals(Float.floatToRawIntBits(x.get(i)), bytes.getInt(i * 4), "x element " + i);
        }
        var y = expected.y();
        for (int i = 0; i < y.remaining(); i++) {
            assertEquals(y.get(i), bytes.getInt(x.remaining() * 4 + i * 4), "y element " + i);
        }
    }

    @Test
    void take_badFilePath_failsNamingTheFileAndThePoolIsIntact() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(noLocalSlots()); WorkerNode w = worker(d, "w", 2)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get() == 2);
            var items = List.of(new dev.batcher.api.ItemSpec("ghost", "blahblah.h5", "/signals/eeg", 0, 100,
                    dev.batcher.api.ChannelSelection.all(), "/labels/stage", 0, 1, 0));
            SourceConfig bad = new SourceConfig.Specs(List.of(new dev.batcher.api.BatchSpec(items)));
            ManagedBatcher b = d.manager().create("bad", BatcherSpec.of(TestData.dataset().toString(), bad).withRetries(1));
            b.start(BatchState.initial(0)).get(10, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> b.take(BatchState.initial(0)).get(30, TimeUnit.SECONDS));
            BatcherFailedException f = assertInstanceOf(BatcherFailedException.class, e.getCause());
            assertTrue(f.failure().message().contains("blahblah.h5"), f.failure().message());
            assertTrue(f.failure().worker().startsWith("w#"), f.failure().worker());
            assertTrue(f.failure().remoteStack().contains("RecordingReadException"), f.failure().remoteStack());
            assertEquals(2, f.failure().attempts(), "a missing file may be another worker's mount problem: retried");
            assertEquals(Status.FAILED, b.status().get().status());
            b.stop().get();
            b.stop().get();
            await().atMost(Duration.ofSeconds(10)).until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().freeSlots()).get() == 2);
        }
    }

    @Test
    void create_selectionOneRecordingLacks_refusedListingTheRecording() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(noLocalSlots())) {
            // rec-0000 has F3, F4, C3, C4, M1, M2: no O1. Before, create succeeded and the batcher failed
            // when rec-0000 was first drawn.
            SourceConfig source = new SourceConfig.Random(4, 30, null, "names:C3,O1", null, null);
            dev.batcher.materializers.iteration.IterationException e = assertThrows(
                    dev.batcher.materializers.iteration.IterationException.class,
                    () -> d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), source)));
            assertTrue(e.getMessage().startsWith("channels: names:C3,O1 does not fit 1 of 3 labeled signals"), e.getMessage());
            assertTrue(e.getMessage().contains("recording rec-0000 (rec-0000.h5, /signals/eeg): channel 'O1' not found"),
                    e.getMessage());
            assertEquals(List.of(), d.manager().names());
        }
    }

    @Test
    void take_deterministicFailureOnARemoteWorker_failsAfterOneAttempt() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(noLocalSlots()); WorkerNode w = worker(d, "w", 2)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get() == 2);
            // An explicit item reading far past the end of rec-0000: every attempt would fail the same way.
            var items = List.of(new dev.batcher.api.ItemSpec("rec-0000", "rec-0000.h5", "/signals/eeg",
                    100_000_000L, 3840, dev.batcher.api.ChannelSelection.all(), "/labels/stage", 0, 1, 0));
            SourceConfig bad = new SourceConfig.Specs(List.of(new dev.batcher.api.BatchSpec(items)));
            ManagedBatcher b = d.manager().create("bad", BatcherSpec.of(TestData.dataset().toString(), bad).withRetries(4));
            b.start(BatchState.initial(0)).get(10, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> b.take(BatchState.initial(0)).get(30, TimeUnit.SECONDS));
            BatcherFailedException f = assertInstanceOf(BatcherFailedException.class, e.getCause());
            assertTrue(f.failure().message().contains("samples [100000000, 100003840)"), f.failure().message());
            assertTrue(f.failure().message().contains("(expected: <= "), f.failure().message());
            assertTrue(f.failure().worker().startsWith("w#"), f.failure().worker());
            assertEquals(1, f.failure().attempts(), "not retried, although 4 retries were allowed");
            assertEquals(0, b.status().get().retries());
            b.stop().get();
        }
    }
}
