package dev.batcher.service.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.batcher.service.BatcherDaemon;
import dev.batcher.service.pool.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker whose connection drops rejoins under the same name, within a bound; stopping it ends the run. */
@Timeout(60)
class RejoinTest {
    private static BatcherDaemon.Options at(int port) {
        return BatcherDaemon.Options.defaults().withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .withManagerSlots(0).withMetricsPort(null).withSharedMemory(null);
    }

    private static int workers(BatcherDaemon d) throws Exception {
        WorkerPool pool = d.manager().pool();
        return pool.loop().submit(pool::workers).get(10, TimeUnit.SECONDS);
    }

    private static List<WorkerPool.WorkerInfo> describe(BatcherDaemon d) throws Exception {
        WorkerPool pool = d.manager().pool();
        return pool.loop().submit(pool::describe).get(10, TimeUnit.SECONDS);
    }

    @Test
    void run_daemonRestartedOnItsPort_workerRejoinsUnderTheSameNameThenStops() throws Exception {
        BatcherDaemon first = BatcherDaemon.start(at(0));
        int port = first.address().getPort();
        WorkerNode.Options options = new WorkerNode.Options(first.address(), null, "stays", 1, List.of(), null);
        WorkerNode node = WorkerNode.connect(options, 10_000);
        Rejoin.Session session = new Rejoin.Session();
        Rejoin rejoin = new Rejoin(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(30));
        CompletableFuture<Rejoin.Outcome> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                return rejoin.run(node, () -> options, 5_000, session);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        BatcherDaemon second = null;
        boolean firstOpen = true;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> workers(first) == 1);
            firstOpen = false;
            first.close();
            second = BatcherDaemon.start(at(port));
            BatcherDaemon d = second;
            await().atMost(Duration.ofSeconds(20)).until(() -> workers(d) == 1);
            assertEquals("stays", describe(d).get(0).name().substring(0, "stays".length()));
            session.stop();
            assertEquals(Rejoin.Outcome.STOPPED, outcome.get(10, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(10)).until(() -> workers(d) == 0);
        } finally {
            session.stop();
            if (firstOpen) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void run_noDaemonComesBack_givesUpAfterTheBound() throws Exception {
        BatcherDaemon d = BatcherDaemon.start(at(0));
        WorkerNode.Options options = new WorkerNode.Options(d.address(), null, "gone", 1, List.of(), null);
        WorkerNode node = WorkerNode.connect(options, 10_000);
        d.close();
        Rejoin.Outcome outcome = new Rejoin(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(600))
                .run(node, () -> options, 1_000, new Rejoin.Session());
        assertEquals(Rejoin.Outcome.LOST, outcome);
    }

    @Test
    void constructor_zeroBackoff_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Rejoin(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO));
    }
}
