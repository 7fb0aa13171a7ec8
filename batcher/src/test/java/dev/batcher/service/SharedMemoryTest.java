package dev.batcher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.arena.ArenaLayout;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.hdf5.RecordingFiles;
import dev.batcher.materializers.iteration.BatchState;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.materializers.materialize.Batch;
import dev.batcher.materializers.materialize.MaterializeOptions;
import dev.batcher.materializers.materialize.Materializer;
import dev.batcher.materializers.materialize.Taken;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.pool.ArenaSlotBuf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shared-memory data path: arenas made, used, freed and deleted; stale ones swept. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.protocol.LeakCheck.class)
@Timeout(180)
class SharedMemoryTest {
    @TempDir
    Path shm;

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static List<Path> arenas(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(ArenaLayout.SUFFIX)).toList();
        }
    }

    @Test
    void take_daemonMaterialisesIntoItsArena_batchesEqualTheLocalBatcherAndStopDeletesTheFile() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2)
                .withSharedMemory(shm))) {
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            Dataset ds = Dataset.load(TestData.dataset());
            try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                    LocalBatcher local = new LocalBatcher(WorkerNodeIntegrationTest.SOURCE.build(ds.signals()),
                            new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
                BatchState s = BatchState.initial(3);
                b.start(s).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 12; i++) {
                    TakeOutcome.Next next = (TakeOutcome.Next) b.take(s).get(60, TimeUnit.SECONDS);
                    try (Batch expected = ((Taken.Next) local.take(s)).batch()) {
                        assertInstanceOf(ArenaSlotBuf.class, next.batch().payload(), "written in shared memory");
                        WorkerNodeIntegrationTest.assertPayloadEquals(expected, next.batch().payload());
                    } finally {
                        next.batch().release();
                    }
                    s = next.state();
                }
            }
            List<Path> files = arenas(shm);
            assertEquals(1, files.size(), "one arena per running batcher: " + files);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(files.get(0))));
            b.stop().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), arenas(shm), "stop deletes the arena");
            b.start(BatchState.initial(4)).get(10, TimeUnit.SECONDS);
            ((TakeOutcome.Next) b.take(BatchState.initial(4)).get(60, TimeUnit.SECONDS)).batch().release();
            assertEquals(1, arenas(shm).size(), "a new start makes a new arena");
        }
        assertEquals(List.of(), arenas(shm), "daemon shutdown deletes its arenas");
    }

    @Test
    void start_staleArenasOfDeadDaemons_areSweptAndLiveOnesKept() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(10, TimeUnit.SECONDS));
        Path stale = shm.resolve("batcher-" + dead.pid() + "-17.arena");
        Files.write(stale, new byte[4096]);
        Path mine = shm.resolve("batcher-" + ProcessHandle.current().pid() + "-1.arena");
        Files.write(mine, new byte[4096]);
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1)
                .withSharedMemory(shm))) {
            assertFalse(Files.exists(stale), "the dead daemon's arena is swept");
            assertTrue(Files.exists(mine), "a live process's arena is kept");
        }
        Files.delete(mine);
    }

    @Test
    void take_sharedMemoryOff_batchesTravelAsBuffersAndNoFileIsMade() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1)
                .withSharedMemory(null))) {
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            b.start(BatchState.initial(3)).get(10, TimeUnit.SECONDS);
            TakeOutcome.Next next = (TakeOutcome.Next) b.take(BatchState.initial(3)).get(60, TimeUnit.SECONDS);
            try {
                assertFalse(next.batch().payload() instanceof ArenaSlotBuf);
            } finally {
                next.batch().release();
            }
            assertEquals(List.of(), arenas(shm));
        }
    }
}
