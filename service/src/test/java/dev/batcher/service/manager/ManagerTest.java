package dev.batcher.service.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.Status;
import dev.batcher.service.ServiceException;
import dev.batcher.service.TestData;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Manager}: a CLOSED batcher leaves after the closed retention, measured on a fake ticker (no sleeps). */
@Timeout(60)
class ManagerTest {
    private static final Duration RETENTION = Duration.ofMinutes(10);

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final AtomicLong now = new AtomicLong(-5_000_000_000L); // negative, as System.nanoTime may be
    private final Manager manager = new Manager(pool, RetryPolicy.defaults(), now::get, List.of(), ArenaFactory.NONE,
            RETENTION);

    @AfterEach
    void close() {
        manager.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static BatcherSpec spec(int batchSize) {
        return BatcherSpec.of(TestData.dataset().toString(), new SourceConfig.Random(batchSize, 30, null, null, null, null));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void names_closedForLessThanRetention_listed() {
        ManagedBatcher train = manager.create("train", spec(2));
        manager.create("valid", spec(2));
        train.stop().join();
        advance(RETENTION.minusNanos(1));
        assertEquals(List.of("train", "valid"), manager.names());
        assertSame(train, manager.get("train"));
        assertEquals(Status.CLOSED, train.status().join().status());
    }

    @Test
    void names_closedForRetention_dropped() {
        ManagedBatcher train = manager.create("train", spec(2));
        manager.create("valid", spec(2));
        train.stop().join();
        advance(RETENTION.minusSeconds(1));
        train.stop().join(); // a second stop keeps the first stop's time
        advance(Duration.ofSeconds(1));
        assertEquals(List.of("valid"), manager.names());
        assertEquals(1, manager.batchers().size());
        ServiceException e = assertThrows(ServiceException.class, () -> manager.get("train"));
        assertTrue(e.getMessage().contains("batcher: 'train' (expected: one of [valid]; create it first: a batcher stopped"
                + " for longer than 10m leaves the daemon)"), e.getMessage());
    }

    @Test
    void create_afterDrop_makesItAgainWithAnySpec() {
        ManagedBatcher first = manager.create("train", spec(2));
        first.start(BatchState.initial(1)).join();
        first.stop().join();
        advance(RETENTION);
        ManagedBatcher again = manager.create("train", spec(4)); // another spec is fine: the old one left
        assertNotSame(first, again);
        assertEquals(spec(4), again.spec());
        assertEquals(Status.STOPPED, again.status().join().status());
        assertEquals(List.of("train"), manager.names());
    }

    @Test
    void names_restartedWithinRetention_stays() {
        ManagedBatcher train = manager.create("train", spec(2));
        train.start(BatchState.initial(1)).join();
        train.stop().join();
        advance(RETENTION.dividedBy(2));
        train.start(BatchState.initial(1)).join();
        advance(RETENTION.multipliedBy(3));
        assertEquals(List.of("train"), manager.names());
        assertEquals(Status.RUNNING, train.status().join().status());
    }

    @Test
    void names_neverStartedOrRunning_stayPastRetention() {
        manager.create("idle", spec(2));
        manager.create("train", spec(2)).start(BatchState.initial(1)).join();
        advance(RETENTION.multipliedBy(100));
        assertEquals(List.of("idle", "train"), manager.names());
    }

    @Test
    void constructor_negativeRetention_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Manager(pool,
                RetryPolicy.defaults(), now::get, List.of(), ArenaFactory.NONE, Duration.ofSeconds(-1)));
        assertEquals("closedRetention: PT-1S (expected: >= 0)", e.getMessage());
    }
}
