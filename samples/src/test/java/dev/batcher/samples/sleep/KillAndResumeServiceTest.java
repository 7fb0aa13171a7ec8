package dev.batcher.samples.sleep;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.service.BatcherDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill and resume through the batcher service, with real processes: a trainer JVM that halts
 * abruptly after step 13 (its last checkpoint is step 8), in one variant together with a daemon JVM
 * killed by SIGKILL; a resumed run must take byte-identical batches and end with bit-identical
 * parameters to an uninterrupted run. Every batch is compared by its SHA-256.
 */
@Timeout(300)
class KillAndResumeServiceTest {
    static final int STEPS = 24;
    static final int CRASH_AFTER = 13;

    @TempDir
    static Path shared;

    static Path dataset;
    static List<String> reference;
    static double[] referenceParameters;

    static String[] args(Path checkpoints, Path digests, String... more) {
        List<String> a = new ArrayList<>(List.of(TinyDataset.args(dataset, "--steps", Integer.toString(STEPS),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "8", "--digest-log", digests.toString())));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @BeforeAll
    static void uninterrupted() throws Exception {
        dataset = TinyDataset.generate(shared.resolve("ds"));
        Path log = shared.resolve("reference.log");
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2));
                BatcherClient c = BatcherClient.connect(d.address())) {
            TrainResult r = SleepStageTrainer.run(args(shared.resolve("reference"), log), new ServiceBatcherFactory(c, "reference"),
                    System.out, StepListener.none());
            referenceParameters = r.parameters();
        }
        reference = Files.readAllLines(log);
        assertEquals(STEPS, reference.size());
    }

    /** Starts {@code bin/batcher} (its Main) in a child JVM with this test's class path. */
    static Process trainer(Path log, String manager, String run, String... args) throws IOException {
        return java(log, concat(List.of("train", manager, run), args));
    }

    static String[] concat(List<String> head, String[] tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    static Process java(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.batcher.service.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void resumeAndCompare(InetSocketAddress daemon, Path checkpoints, Path digests, String run) throws Exception {
        List<String> crashed = Files.readAllLines(digests);
        assertEquals(reference.subList(0, CRASH_AFTER), crashed, "the crashed run took the reference's batches");
        try (BatcherClient c = BatcherClient.connect(daemon)) {
            TrainResult r = SleepStageTrainer.run(args(checkpoints, digests, "--resume"), new ServiceBatcherFactory(c, run), System.out,
                    StepListener.none());
            assertEquals(8, r.startStep(), "resumed from the step-8 checkpoint");
            assertArrayEquals(referenceParameters, r.parameters(), "the resumed model continues to the same parameters");
        }
        List<String> all = Files.readAllLines(digests);
        List<String> resumed = all.subList(CRASH_AFTER, all.size());
        assertEquals(reference.subList(8, STEPS), resumed, "after the resume, byte-identical batches (by SHA-256)");
    }

    @Test
    void resume_afterTheTrainerProcessIsKilled_batchesAndModelEqualAnUninterruptedRun() throws Exception {
        Path checkpoints = shared.resolve("killed-trainer");
        Path digests = shared.resolve("killed-trainer.log");
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2))) {
            Process trainer = trainer(shared.resolve("trainer1.out"), "--manager=127.0.0.1:" + d.address().getPort(),
                    "--run=killed", args(checkpoints, digests, "--crash-after", Integer.toString(CRASH_AFTER)));
            assertTrue(trainer.waitFor(120, TimeUnit.SECONDS), "the trainer halted");
            assertEquals(137, trainer.exitValue(), Files.readString(shared.resolve("trainer1.out")));
            resumeAndCompare(d.address(), checkpoints, digests, "killed");
        }
    }

    @Test
    void resume_afterTheTrainerAndTheDaemonAreKilled_batchesAndModelEqualAnUninterruptedRun() throws Exception {
        Path checkpoints = shared.resolve("killed-both");
        Path digests = shared.resolve("killed-both.log");
        Process daemon = java(shared.resolve("daemon1.out"), "serve", "--port=0", "--manager-slots=2", "--metrics-port=-1");
        try {
            int port = port(daemon, shared.resolve("daemon1.out"));
            Process trainer = trainer(shared.resolve("trainer2.out"), "--manager=127.0.0.1:" + port, "--run=both",
                    args(checkpoints, digests, "--crash-after", Integer.toString(CRASH_AFTER)));
            assertTrue(trainer.waitFor(120, TimeUnit.SECONDS), "the trainer halted");
            assertEquals(137, trainer.exitValue(), Files.readString(shared.resolve("trainer2.out")));
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try (BatcherDaemon fresh = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(2))) {
            resumeAndCompare(fresh.address(), checkpoints, digests, "both");
        }
    }

    private static int port(Process daemon, Path out) {
        Pattern listening = Pattern.compile("listening on [^:]+:(\\d+)");
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited: " + Files.readString(out));
            }
            Matcher m = listening.matcher(Files.readString(out));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }, p -> p > 0);
    }
}
