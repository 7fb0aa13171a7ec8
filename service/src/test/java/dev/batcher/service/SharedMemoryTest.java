package dev.batcher.service;

import dev.batcher.materializers.iteration.BatchSources;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.arena.ArenaLayout;
import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.ShmProbe;
import dev.batcher.service.manager.RetryPolicy;
import dev.batcher.service.pool.WorkerPool;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.pool.ArenaSlotBuf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shared-memory data path: arenas made, used, freed and deleted; stale ones swept. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
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
                    LocalBatcher local = new LocalBatcher(BatchSources.build(WorkerNodeIntegrationTest.SOURCE, ds.signals()),
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
    void start_sharedMemoryDirectoryMissing_refusedNamingTheDirectory() {
        Path missing = shm.resolve("no-such-dir");
        ServiceException e = org.junit.jupiter.api.Assertions.assertThrows(ServiceException.class,
                () -> BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1)
                        .withSharedMemory(missing)).close());
        assertTrue(e.getMessage().contains("sharedMemory: " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("--no-shm"), e.getMessage());
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

    static byte[] bytes(Batch b) {
        java.nio.FloatBuffer x = b.x();
        java.nio.IntBuffer y = b.y();
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(4 * (x.remaining() + y.remaining()))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(x);
        out.position(4 * x.capacity());
        out.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(y);
        return out.array();
    }

    /** Takes {@code n} batches from {@code h} and from a LocalBatcher; returns how many were in shared memory. */
    static int takeAndCompare(BatcherHandle h, BatchState start, int n, java.util.function.IntConsumer before) {
        Dataset ds = Dataset.load(TestData.dataset());
        int shared = 0;
        try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                LocalBatcher local = new LocalBatcher(BatchSources.build(WorkerNodeIntegrationTest.SOURCE, ds.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
            BatchState s = start;
            for (int i = 0; i < n; i++) {
                before.accept(i);
                Taken.Next got = (Taken.Next) h.take(s);
                Taken.Next expected = (Taken.Next) local.take(s);
                try (Batch g = got.batch(); Batch e = expected.batch()) {
                    shared += ShmProbe.inSharedMemory(g) ? 1 : 0;
                    assertArrayEquals(e.xShape(), g.xShape());
                    assertArrayEquals(bytes(e), bytes(g), "batch " + i + " at " + s);
                }
                assertEquals(expected.state(), got.state());
                s = got.state();
            }
        }
        return shared;
    }

    @Test
    void take_javaClientOnThisHost_readsBatchesInPlaceIdenticalToLocalBatcherAndForcedTcpToo() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2)
                .withSharedMemory(shm))) {
            for (boolean prefetch : new boolean[] {false, true}) {
                try (BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withPrefetch(prefetch))) {
                    BatcherHandle h = c.batcher("train" + prefetch);
                    h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
                    h.start(BatchState.initial(11));
                    assertEquals(16, takeAndCompare(h, BatchState.initial(11), 16, i -> { }), "every batch read in place");
                    h.stop();
                }
            }
            try (BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withSharedMemory(false))) {
                BatcherHandle h = c.batcher("tcp");
                h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
                h.start(BatchState.initial(12));
                assertEquals(0, takeAndCompare(h, BatchState.initial(12), 8, i -> { }), "a client forcing TCP gets payloads");
                h.stop();
            }
            assertEquals(List.of(), arenas(shm), "stopped batchers leave no arena");
        }
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2)
                .withSharedMemory(null));
                BatcherClient c = BatcherClient.connect(d.address())) {
            BatcherHandle h = c.batcher("train");
            h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            h.start(BatchState.initial(13));
            assertEquals(0, takeAndCompare(h, BatchState.initial(13), 8, i -> { }), "a daemon with --no-shm sends payloads");
        }
    }

    @Test
    void take_workerProcessKilledMidRun_restartedAndEveryBatchInSharedMemoryIdenticalToLocalBatcher() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults().withBind(anyPort()).withLocalWorkers(2, 1)
                .withWorkerJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1")).withWorkerLog(shm.resolve("workers.log"))
                .withWorkerRestart(new RetryPolicy(Duration.ofMillis(50), Duration.ofSeconds(1))).withSharedMemory(shm);
        try (BatcherDaemon d = BatcherDaemon.start(o);
                BatcherClient c = BatcherClient.connect(d.address())) {
            WorkerPool pool = d.manager().pool();
            await().atMost(Duration.ofSeconds(60)).until(() -> onLoop(d, pool::workers) == 2);
            BatcherHandle h = c.batcher("train");
            h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            h.start(BatchState.initial(21));
            int shared = takeAndCompare(h, BatchState.initial(21), 24, i -> {
                if (i == 8) {
                    // Freeze both workers with a batch buffered: the take below dispatches a job to a frozen one.
                    await().atMost(Duration.ofSeconds(30)).until(() -> h.status().buffered() >= 1);
                    d.localWorkers().values().forEach(p -> signal("STOP", p));
                }
                if (i == 9) {
                    // SIGKILL the worker that holds that job (frozen before or while writing into its slot).
                    WorkerPool.WorkerInfo busy = await().atMost(Duration.ofSeconds(20)).until(
                            () -> onLoop(d, pool::describe).stream().filter(w -> w.free() < w.slots()).findFirst(),
                            java.util.Optional::isPresent).orElseThrow();
                    Process victim = d.localWorkers().get(busy.name().substring(0, busy.name().indexOf('#')));
                    try {
                        victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    d.localWorkers().values().stream().filter(Process::isAlive).forEach(p -> signal("CONT", p));
                }
            });
            assertEquals(24, shared, "workers write every batch into shared memory, the client reads it in place");
            await().atMost(Duration.ofSeconds(30)).until(() -> h.status().workerRestarts() >= 1);
            // Re-dispatched once the worker was lost, or hedged before (the stream waited for it): either way elsewhere.
            assertTrue(h.status().redispatched() + h.status().hedged() >= 1, "the killed worker's job went to another worker");
            h.stop();
            assertEquals(List.of(), arenas(shm));
        }
        assertEquals(List.of(), arenas(shm));
    }

    private static void signal(String sig, Process p) {
        try {
            assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static <T> T onLoop(BatcherDaemon d, java.util.concurrent.Callable<T> c) throws Exception {
        return d.manager().pool().loop().submit(c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void take_clientKilledWhileHoldingSlots_itsSlotsAreFreedAndStopLeavesNoFile() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1)
                .withSharedMemory(shm))) {
            BatcherSpec spec = BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE).withCapacity(3);
            ManagedBatcher b = d.manager().create("train", spec);
            b.start(BatchState.initial(31)).get(10, TimeUnit.SECONDS);
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                    "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), HoldingClientMain.class.getName(),
                    d.address().getHostString(), Integer.toString(d.address().getPort()), "train", "31", "7");
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String held;
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
                held = r.lines().filter(l -> l.startsWith("HELD ")).findFirst().orElse("the child exited: " + child);
            } finally {
                child.destroyForcibly(); // SIGKILL, holding its batches
                assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            }
            // 3 + 4 slots: while the child holds its 7 batches, the window's next ones come over TCP.
            assertEquals("HELD 7 SHM 7", held);
            // Its slots are free again: a new client holding 7 batches gets them in shared memory (none if they leaked).
            try (BatcherClient c = BatcherClient.connect(d.address())) {
                BatcherHandle h = c.batcher("train");
                BatchState s = BatchState.initial(32);
                List<Batch> keep = new java.util.ArrayList<>();
                int shared = 0;
                for (int i = 0; i < 7; i++) {
                    Taken.Next n = (Taken.Next) h.take(s);
                    keep.add(n.batch());
                    shared += ShmProbe.inSharedMemory(n.batch()) ? 1 : 0;
                    s = n.state();
                }
                int sharedNow = shared;
                assertTrue(sharedNow >= 4, "the killed client's slots were freed: " + sharedNow + " of 7 in shared memory");
                keep.forEach(Batch::close);
                h.stop();
            }
            assertEquals(List.of(), arenas(shm), "no arena file is left");
        }
        assertEquals(List.of(), arenas(shm));
    }

    @Test
    void take_workerStoppedPastHeartbeatTimeoutThenContinued_itsSlotIsWithheldUntilItExitsAndBatchesEqualLocalBatcher()
            throws Exception {
        // A short heartbeat timeout (4 x 250 ms): a SIGSTOPped worker is dropped while its process lives on.
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults().withBind(anyPort()).withLocalWorkers(2, 1)
                .withWire(dev.batcher.client.protocol.WireConfig.defaults().withHeartbeat(Duration.ofMillis(250), 4))
                .withWorkerJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1")).withWorkerLog(shm.resolve("workers.log"))
                .withWorkerRestart(new RetryPolicy(Duration.ofMillis(50), Duration.ofSeconds(1))).withSharedMemory(shm);
        java.util.concurrent.atomic.AtomicReference<Process> victim = new java.util.concurrent.atomic.AtomicReference<>();
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            WorkerPool pool = d.manager().pool();
            await().atMost(Duration.ofSeconds(60)).until(() -> onLoop(d, pool::workers) == 2);
            try (BatcherClient c = BatcherClient.connect(d.address())) {
                BatcherHandle h = c.batcher("train");
                h.create(BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
                ManagedBatcher b = d.manager().get("train");
                h.start(BatchState.initial(23));
                int shared;
                try {
                    shared = takeAndCompare(h, BatchState.initial(23), 30, i -> {
                        if (i == 6) {
                            // Freeze both workers with a batch buffered: the take below dispatches a job to a frozen one.
                            await().atMost(Duration.ofSeconds(30)).until(() -> h.status().buffered() >= 1);
                            d.localWorkers().values().forEach(p -> signal("STOP", p));
                        }
                        if (i == 7) {
                            // Keep the worker that holds a job (and its slot) stopped; let the other go on.
                            WorkerPool.WorkerInfo busy = await().atMost(Duration.ofSeconds(20)).until(
                                    () -> onLoop(d, pool::describe).stream().filter(w -> w.free() < w.slots()).findFirst(),
                                    java.util.Optional::isPresent).orElseThrow();
                            victim.set(d.localWorkers().get(busy.name().substring(0, busy.name().indexOf('#'))));
                            d.localWorkers().values().stream().filter(p -> p != victim.get()).forEach(p -> signal("CONT", p));
                            // Past the heartbeat timeout the daemon drops it, withholds its slot, re-dispatches its job.
                            await().atMost(Duration.ofSeconds(30)).until(() -> b.quarantinedSlots().get(10, TimeUnit.SECONDS) >= 1);
                            assertTrue(victim.get().isAlive(), "the dropped worker's process lives on, stopped");
                        }
                        if (i == 16) {
                            // Batches went through the other worker's slots meanwhile; now the stopped one resumes,
                            // may finish writing into its old slot, notices its connection is gone and exits.
                            signal("CONT", victim.get());
                        }
                    });
                } finally {
                    // Whatever failed, no worker stays stopped.
                    java.util.stream.Stream.concat(d.localWorkers().values().stream(), java.util.stream.Stream.ofNullable(victim.get()))
                            .filter(Process::isAlive).forEach(p -> signal("CONT", p));
                }
                assertEquals(30, shared, "every batch in shared memory, read in place, equal to the LocalBatcher's");
                assertTrue(victim.get().waitFor(60, TimeUnit.SECONDS), "the dropped worker exits once it runs again");
                // The daemon saw that process exit: its slot is free again.
                await().atMost(Duration.ofSeconds(30)).until(() -> b.quarantinedSlots().get(10, TimeUnit.SECONDS) == 0);
                // Re-dispatched once the worker was dropped, or hedged before (the stream waited for it).
                assertTrue(h.status().redispatched() + h.status().hedged() >= 1,
                        "the stopped worker's job went to another worker");
                await().atMost(Duration.ofSeconds(30)).until(() -> h.status().workerRestarts() >= 1);
                h.stop();
                assertEquals(List.of(), arenas(shm));
            }
        }
        assertEquals(List.of(), arenas(shm));
    }
}
