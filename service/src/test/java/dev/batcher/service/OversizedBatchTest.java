package dev.batcher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.client.Status;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.service.worker.WorkerNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A batch above the maximum frame length fails with that cause, on the worker and on the daemon,
 * instead of leaving the batch in flight and the client waiting until its timeout.
 */
@Timeout(60)
class OversizedBatchTest {
    /** 64 KiB frames: a batch of 2 items of 300 s of one 128 Hz channel (300 KB) does not fit. */
    static final WireConfig SMALL = new WireConfig(WireConfig.MIN_MAX_FRAME_LENGTH, 32 << 10, Duration.ofSeconds(5), 3,
            Duration.ofSeconds(10), 8 << 10, 16 << 10, WireConfig.DEFAULT_MEMORY_BUDGET);
    static final SourceConfig BIG = new SourceConfig.Random(2, 300, 1, null, null, null);
    static final BatchState INIT = BatchState.initial(1);
    /** Far longer than a failure takes, far shorter than the test's timeout. */
    static final ClientOptions OPTIONS = ClientOptions.defaults().withTakeTimeout(Duration.ofSeconds(20)).withWire(SMALL);

    static BatcherDaemon.Options daemon(int managerSlots) {
        return BatcherDaemon.Options.defaults().withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withManagerSlots(managerSlots).withWire(SMALL)
                .withSharedMemory(null); // the frame limits concern batches that cross the sockets
    }

    @Test
    void take_resultAboveTheWorkersFrameLimit_batcherFailsNamingTheLimit() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(daemon(0));
                WorkerNode w = WorkerNode.connect(new WorkerNode.Options(d.address(), null, "w", 1, List.of(), SMALL), 10_000);
                BatcherClient c = BatcherClient.connect(d.address(), OPTIONS)) {
            BatcherHandle h = c.batcher("big");
            h.create(BatcherSpec.of(TestData.dataset().toString(), BIG).withRetries(0));
            h.start(INIT);
            RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> h.take(INIT));
            assertEquals("failed", e.code(), e.toString());
            assertEquals("dev.batcher.client.protocol.ProtocolException", e.remoteClass(), e.toString());
            assertTrue(e.remoteMessage().contains("the maximum frame length; frame JOB_RESULT"), e.remoteMessage());
            assertEquals(Status.FAILED, h.status().status());
        }
    }

    @Test
    void take_batchAboveTheDaemonsFrameLimit_answeredWithTheCause() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(daemon(1));
                BatcherClient c = BatcherClient.connect(d.address(), OPTIONS)) {
            BatcherHandle h = c.batcher("big");
            h.create(BatcherSpec.of(TestData.dataset().toString(), BIG));
            h.start(INIT);
            RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> h.take(INIT));
            assertEquals("internal", e.code(), e.toString());
            assertTrue(e.remoteMessage().contains("the maximum frame length; frame BATCH"), e.remoteMessage());
        }
    }
}
