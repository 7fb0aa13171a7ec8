package dev.batcher.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.api.BatchState;
import dev.batcher.api.Taken;
import dev.batcher.service.worker.WorkerNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shared token and the dataset roots. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(60)
class SecurityTest {
    @TempDir
    Path elsewhere;

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void connect_withoutOrWithAWrongToken_refused_withTheToken_served() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(0).withToken("s3cret");
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            RemoteBatcherException none = assertThrows(RemoteBatcherException.class, () -> BatcherClient.connect(d.address()).list());
            assertEquals("unauthorized", none.code());
            RemoteBatcherException wrong = assertThrows(RemoteBatcherException.class,
                    () -> BatcherClient.connect(d.address(), "guess").list());
            assertEquals("unauthorized", wrong.code());
            ServiceException worker = assertThrows(ServiceException.class,
                    () -> WorkerNode.connect(new WorkerNode.Options(d.address(), "guess", "w", 1, List.of(), null), 10_000));
            assertTrue(worker.getMessage().contains("refused worker w"), worker.getMessage());
            try (WorkerNode w = WorkerNode.connect(new WorkerNode.Options(d.address(), "s3cret", "w", 1, List.of(), null), 10_000);
                    BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withToken("s3cret"))) {
                BatcherHandle h = c.batcher("train");
                h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
                h.start(BatchState.initial(1));
                Taken.Next n = assertInstanceOf(Taken.Next.class, h.take(BatchState.initial(1)));
                n.batch().close();
                h.stop();
            }
        }
    }

    @Test
    void create_datasetOutsideTheDaemonsRoots_refusedNamingTheRoots() throws Exception {
        Files.createDirectories(elsewhere.resolve("root"));
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1)
                .withDatasetRoots(List.of(elsewhere.resolve("root").toString()));
        try (BatcherDaemon d = BatcherDaemon.start(o); BatcherClient c = BatcherClient.connect(d.address())) {
            RemoteBatcherException e = assertThrows(RemoteBatcherException.class,
                    () -> c.batcher("train").create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE)));
            assertEquals("bad_request", e.code());
            assertTrue(e.getMessage().contains("expected: a directory under the daemon's dataset roots"), e.getMessage());
        }
    }

    @Test
    void take_workerWhoseRootsExcludeTheDataset_refusesTheJob() throws Exception {
        Files.createDirectories(elsewhere.resolve("root"));
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(0));
                WorkerNode w = WorkerNode.connect(new WorkerNode.Options(d.address(), null, "strict", 1,
                        List.of(elsewhere.resolve("root").toString()), null), 10_000);
                BatcherClient c = BatcherClient.connect(d.address())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get() == 1);
            BatcherHandle h = c.batcher("train");
            h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE).withRetries(0));
            h.start(BatchState.initial(1));
            RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> h.take(BatchState.initial(1)));
            assertEquals("failed", e.code());
            assertTrue(e.remoteMessage().contains("refusing to read it"), e.remoteMessage());
            assertTrue(e.context().get("worker").startsWith("strict"), e.context().toString());
        }
    }
}
