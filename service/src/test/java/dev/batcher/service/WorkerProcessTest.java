package dev.batcher.service;

import dev.batcher.materializers.iteration.BatchSources;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
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
import dev.batcher.service.pool.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Worker processes started by the daemon: SIGKILL one mid-run, add one mid-run; the batches never change. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(180)
class WorkerProcessTest {
    @TempDir
    Path tmp;

    private static <T> T onLoop(BatcherDaemon d, Callable<T> c) throws Exception {
        return d.manager().pool().loop().submit(c).get(10, TimeUnit.SECONDS);
    }

    private static void signal(String sig, Process p) {
        try {
            int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
            assertEquals(0, rc, "kill -" + sig + " " + p.pid());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void take_workerKilledAndAnotherJoined_sequenceEqualsTheLocalBatcher() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(2, 1)
                .withWorkerJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"))
                .withWorkerLog(tmp.resolve("workers.log"))
                .withWorkerRestart(null); // this test counts the workers it kills and adds itself
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            WorkerPool pool = d.manager().pool();
            await().atMost(Duration.ofSeconds(60)).until(() -> onLoop(d, pool::workers) == 2);
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            Dataset ds = Dataset.load(TestData.dataset());
            try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                    LocalBatcher local = new LocalBatcher(BatchSources.build(WorkerNodeIntegrationTest.SOURCE, ds.signals()),
                            new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
                BatchState s = BatchState.initial(21);
                b.start(s).get(10, TimeUnit.SECONDS);
                String joined = null;
                for (int i = 0; i < 30; i++) {
                    if (i == 8) {
                        // Freeze both workers so the next job is certainly in flight on one of them, then
                        // SIGKILL that one and let the other go on.
                        List<Process> procs = d.workerProcesses();
                        // A batch is buffered, so the take below cannot wait on a frozen worker.
                        await().atMost(Duration.ofSeconds(30)).until(() -> b.status().get().buffered() >= 1);
                        procs.forEach(p -> signal("STOP", p));
                        TakeOutcome.Next taken = (TakeOutcome.Next) b.take(s).get(60, TimeUnit.SECONDS);
                        try (Batch expected = ((Taken.Next) local.take(s)).batch()) {
                            WorkerNodeIntegrationTest.assertPayloadEquals(expected, taken.batch().payload());
                        } finally {
                            taken.batch().release();
                        }
                        s = taken.state();
                        WorkerPool.WorkerInfo busy = await().atMost(Duration.ofSeconds(20)).until(
                                () -> onLoop(d, pool::describe).stream().filter(w -> w.free() < w.slots()).findFirst(),
                                java.util.Optional::isPresent).orElseThrow();
                        int index = Integer.parseInt(busy.name().substring("local-".length(), busy.name().indexOf('#'))) - 1;
                        procs.get(index).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                        procs.forEach(p -> {
                            if (p.isAlive()) {
                                signal("CONT", p);
                            }
                        });
                        await().atMost(Duration.ofSeconds(20)).until(() -> onLoop(d, pool::workers) == 1);
                    }
                    if (i == 16) {
                        d.spawnWorker();
                        await().atMost(Duration.ofSeconds(60)).until(() -> onLoop(d, pool::workers) == 2);
                        joined = onLoop(d, pool::describe).get(1).name();
                        // Jump elsewhere: the restart empties the window and fills it at once, one job per free
                        // slot, so the new worker gets work however fast the old one is.
                        s = new BatchState(21, 500);
                    }
                    TakeOutcome.Next remote = (TakeOutcome.Next) b.take(s).get(60, TimeUnit.SECONDS);
                    try (Batch expected = ((Taken.Next) local.take(s)).batch()) {
                        WorkerNodeIntegrationTest.assertPayloadEquals(expected, remote.batch().payload());
                    } finally {
                        remote.batch().release();
                    }
                    s = remote.state();
                }
                String name = joined;
                long given = onLoop(d, pool::describe).stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow()
                        .dispatched();
                assertTrue(given > 0, "the worker that joined got work: " + onLoop(d, pool::describe));
                // Re-dispatched once the worker was lost, or hedged before (the stream waited for it).
                BatcherStatus st = b.status().get();
                assertTrue(st.redispatched() + st.hedged() >= 1, "the killed worker's jobs were sent elsewhere");
                assertEquals(0, b.status().get().retries(), "a lost worker is not a failed batch");
            }
            b.stop().get(10, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(tmp.resolve("workers.log")));
    }

    @Test
    void take_localWorkerKilled_isRestartedCountedAndTheSequenceEqualsTheLocalBatcher() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(1, 1)
                .withWorkerJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"))
                .withWorkerLog(tmp.resolve("workers.log"))
                .withWorkerRestart(new dev.batcher.service.manager.RetryPolicy(Duration.ofMillis(50), Duration.ofSeconds(1)));
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            WorkerPool pool = d.manager().pool();
            await().atMost(Duration.ofSeconds(60)).until(() -> onLoop(d, pool::workers) == 1);
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
            Dataset ds = Dataset.load(TestData.dataset());
            try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                    LocalBatcher local = new LocalBatcher(BatchSources.build(WorkerNodeIntegrationTest.SOURCE, ds.signals()),
                            new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
                BatchState s = BatchState.initial(5);
                b.start(s).get(10, TimeUnit.SECONDS);
                Process first = null;
                for (int i = 0; i < 12; i++) {
                    if (i == 4) {
                        first = d.workerProcesses().get(0);
                        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                    TakeOutcome.Next remote = (TakeOutcome.Next) b.take(s).get(90, TimeUnit.SECONDS);
                    try (Batch expected = ((Taken.Next) local.take(s)).batch()) {
                        WorkerNodeIntegrationTest.assertPayloadEquals(expected, remote.batch().payload());
                    } finally {
                        remote.batch().release();
                    }
                    s = remote.state();
                }
                Process killed = first;
                await().atMost(Duration.ofSeconds(30)).until(() -> b.status().get().workerRestarts() == 1);
                List<Process> now = d.workerProcesses();
                assertEquals(1, now.size(), "the killed process is gone, its replacement runs: " + now);
                assertTrue(now.get(0).isAlive() && now.get(0).pid() != killed.pid(), "a new process: " + now);
                assertEquals(1, onLoop(d, pool::workers));
                assertEquals(0, b.status().get().retries(), "a lost worker is not a failed batch");
            }
            b.stop().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void worker_daemonGoesAway_exitsWithStatus3AndNoStackTrace() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(0, 1);
        List<Process> workers = new java.util.ArrayList<>();
        List<Path> errs = new java.util.ArrayList<>();
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            for (int i = 0; i < 3; i++) {
                Path err = tmp.resolve("worker-" + i + ".err");
                errs.add(err);
                workers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--add-modules", "jdk.incubator.vector", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), "dev.batcher.service.cli.Main", "worker",
                        "--manager=127.0.0.1:" + d.address().getPort(), "--slots=1", "--name=w" + i,
                        "--rejoin-for=1") // try to rejoin for a second, then give up
                        .redirectError(err.toFile()).redirectOutput(tmp.resolve("worker-" + i + ".out").toFile()).start());
            }
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> onLoop(d, d.manager().pool()::describe).stream()
                        .filter(w -> w.name().matches("w[0-9]#.*|w[0-9]")).count() == 3);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                StringBuilder logs = new StringBuilder();
                for (Path err : errs) {
                    logs.append(err.getFileName()).append(":\n").append(Files.readString(err));
                }
                throw new AssertionError("the workers did not join: " + logs, e);
            }
        }
        // The daemon is gone: each worker notices, tries to rejoin for its second, and exits with 3, printing no stack trace
        // (the main thread and the shutdown hook both closed the node; the second close hit a
        // terminated event loop).
        for (int i = 0; i < workers.size(); i++) {
            Process p = workers.get(i);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "worker " + i + " exits");
            String err = Files.readString(errs.get(i));
            String out = Files.readString(tmp.resolve("worker-" + i + ".out"));
            assertEquals(3, p.exitValue(), out + err);
            assertTrue(out.contains("the connection to 127.0.0.1:") && out.contains("could not rejoin within 1 s"), out);
            assertTrue(!err.contains("Exception in thread") && !err.contains("\tat "), "no stack trace on stderr:\n" + err);
        }
    }
}
