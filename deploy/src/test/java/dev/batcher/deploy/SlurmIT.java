package dev.batcher.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/deploy/slurm/batcher.sbatch on a real single-node Slurm (slurmctld, slurmd and munged started
 * here): the job runs the daemon, a worker through srun and a training client that checks every batch
 * against a {@code LocalBatcher}. Mid-run the worker's JVM is SIGKILLed; the script starts it again
 * and the client goes on with the same batches. The job's exit status is the client's.
 */
@Timeout(300)
class SlurmIT {
    static final int BATCHES = 40;

    @TempDir
    Path tmp;

    @Test
    void sbatch_workerKilledMidJob_restartedByTheScriptAndEveryBatchIdenticalToLocalBatcher() throws Exception {
        Path root = Repository.root();
        Path script = root.resolve("docs/deploy/slurm/batcher.sbatch");
        Path jar = root.resolve("samples/target/batcher-samples-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar) && Files.isDirectory(root.resolve("samples/target/lib")),
                "bin/batcher runs " + jar + " and its lib/: package the samples module first (mvn verify does)");
        try (Stream<Path> sources = Files.walk(root)) {
            long jarTime = Files.getLastModifiedTime(jar).toMillis();
            List<Path> newer = sources.filter(p -> p.toString().contains("/src/main/") && Files.isRegularFile(p))
                    .filter(p -> p.toFile().lastModified() > jarTime).limit(3).toList();
            assertEquals(List.of(), newer, "sources newer than " + jar + ": bin/batcher would rebuild inside the job; package it first");
            assertTrue(Files.getLastModifiedTime(root.resolve("pom.xml")).toMillis() <= jarTime,
                    "pom.xml is newer than " + jar + ": bin/batcher would rebuild inside the job; package it first");
        }
        Path dataset = Takes.dataset(tmp.resolve("ds"), 11);
        Path tokens = Files.createDirectory(tmp.resolve("tokens"));
        Path out = tmp.resolve("job.out");
        int port = SlurmCluster.freePort();

        try (SlurmCluster slurm = SlurmCluster.start(Files.createDirectory(tmp.resolve("slurm")))) {
            List<String> sbatch = new ArrayList<>(List.of("sbatch", "--wait", "--time=10", "--nodes=1", "--ntasks-per-node=1", "--cpus-per-task=1",
                    "--output=" + out, "--chdir=" + tmp, script.toString()));
            sbatch.addAll(Takes.java(tmp, "512m", CheckingClientMain.class.getName(), "--dataset", dataset.toString(), "--seed", "5",
                    "--batches", "" + BATCHES, "--name", "slurm"));
            ProcessBuilder pb = new ProcessBuilder(sbatch).redirectErrorStream(true).redirectOutput(tmp.resolve("sbatch.out").toFile());
            pb.environment().putAll(slurm.environment());
            pb.environment().putAll(Map.of("BATCHER_HOME", root.toString(), "BATCHER_DATASET_ROOT", tmp.toString(),
                    "BATCHER_PORT", "" + port, "BATCHER_TOKEN_DIR", tokens.toString(), "BATCHER_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC -Djava.io.tmpdir=" + tmp));
            Process job = pb.start();
            String manager = slurm.node() + ":" + port;
            try {
                // Once batches flow, SIGKILL the worker's JVM (found by its unique --manager address, started by this job).
                await().atMost(Duration.ofSeconds(150)).until(() -> takes(out) >= 10 || !job.isAlive());
                ProcessHandle worker = jvms("worker --manager " + manager).stream().findFirst()
                        .orElseThrow(() -> new AssertionError("no worker JVM for " + manager + ":\n" + read(out)));
                long killedAt = System.currentTimeMillis();
                worker.destroyForcibly();
                assertTrue(job.waitFor(180, TimeUnit.SECONDS), "the job ends when the client has its batches");
                String log = read(out);
                assertEquals(0, job.exitValue(), "sbatch --wait exits with the job's status:\n" + read(tmp.resolve("sbatch.out")) + log);
                assertTrue(log.contains(":" + port + " (token required)"), "the daemon listens on every interface, with the job's token:\n" + log);
                assertTrue(log.contains("DONE " + BATCHES + " batches,") && log.contains("identical to LocalBatcher"), log);
                String name = slurm.node() + "-0";
                assertEquals(2, log.lines().filter(l -> l.startsWith("worker " + name + " joined " + manager)).count(),
                        "the worker joined, and again after it was killed:\n" + log);
                assertTrue(log.contains("batcher.sbatch: worker " + name + " exited with status 137; starting it again"), log);
                try (Stream<Path> left = Files.list(tokens)) {
                    assertEquals(List.of(), left.toList(), "the job deletes its token file");
                }
                assertEquals(List.of(), jvms("--port " + port), "the job stops its daemon and workers");
                List<long[]> t = log.lines().filter(l -> l.startsWith("TAKE ")).map(Takes::parse).toList();
                System.out.printf(Locale.ROOT, "SlurmIT: job of 1 node (daemon, worker via srun, checking client): %d batches identical to "
                        + "LocalBatcher (%d in shared memory); median take %d ms; worker SIGKILLed and restarted by the script: longest "
                        + "take %.1f s%n", t.size(), t.stream().filter(x -> x[2] == 1).count(),
                        Takes.median(t.stream().mapToLong(x -> x[1]).toArray()),
                        Takes.longest(t, killedAt, Long.MAX_VALUE) / 1e3);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n---- squeue\n" + slurm.query("squeue") + "---- job output\n" + read(out)
                        + slurm.logs(), e);
            } finally {
                job.destroy();
                // Whatever happened to the job, none of its JVMs outlives the test.
                jvms(manager).forEach(ProcessHandle::destroyForcibly);
                jvms("--port " + port).forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The JVMs whose command line holds {@code text} (a port of this test: only processes this test's job started). */
    static List<ProcessHandle> jvms(String text) {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").endsWith("java"))
                .filter(p -> p.info().commandLine().orElse("").contains(text)).toList();
    }

    static int takes(Path out) {
        return (int) read(out).lines().filter(l -> l.startsWith("TAKE ")).count();
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
