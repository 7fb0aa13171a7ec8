package dev.batcher.samples.sleep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kill and resume: a run abandoned mid-way (an exception from the step listener, some steps after its
 * last checkpoint) and resumed from that checkpoint takes the same batches, byte for byte, and ends
 * with the same model, bit for bit, as a run that was never interrupted.
 */
@Timeout(120)
class SleepStageTrainerResumeTest {
    private static final int STEPS = 24;
    private static final int EVERY = 8;
    private static final int CRASH_AT = 13;

    @TempDir
    static Path dir;
    private static Path dataset;

    /** The exception that stands for a crash. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(long step) {
            super("crash after step " + step);
        }
    }

    @BeforeAll
    static void generate() {
        dataset = TinyDataset.generate(dir.resolve("data"));
    }

    private static TrainResult train(Path checkpoints, StepListener listener, String... more) {
        List<String> args = new ArrayList<>(List.of("--steps", Integer.toString(STEPS), "--checkpoint-dir",
                checkpoints.toString(), "--checkpoint-every", Integer.toString(EVERY), "--digests"));
        args.addAll(List.of(more));
        return SleepStageTrainer.run(TinyDataset.args(dataset, args.toArray(String[]::new)), new LocalBatcherFactory(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), listener);
    }

    @ParameterizedTest(name = "hidden={0}")
    @ValueSource(ints = {0, 12})
    void run_crashedAndResumed_takesTheSameBatchesAndEndsWithTheSameModel(int hidden) throws IOException {
        String h = Integer.toString(hidden);
        Path straight = dir.resolve("straight-" + hidden);
        Path crashed = dir.resolve("crashed-" + hidden);
        TrainResult whole = train(straight, StepListener.none(), "--hidden", h);

        List<Long> checkpointed = new ArrayList<>();
        Crash crash = assertThrows(Crash.class, () -> train(crashed, (step, state, loss, wrote) -> {
            if (wrote) {
                checkpointed.add(step);
            }
            if (step == CRASH_AT) {
                throw new Crash(step);
            }
        }, "--hidden", h));
        assertEquals("crash after step 13", crash.getMessage());
        assertEquals(List.of(8L), checkpointed);
        Path file = crashed.resolve(Checkpoint.FILE_NAME);
        assertEquals(8, Checkpoint.read(file).step());
        assertEquals(new BatchState(1, 8), Checkpoint.read(file).state());
        // A crash in the middle of a later checkpoint write leaves a temporary file behind.
        Path stray = crashed.resolve(Checkpoint.FILE_NAME + ".123.tmp");
        Files.write(stray, new byte[] {1, 2, 3});

        TrainResult resumed = train(crashed, StepListener.none(), "--hidden", h, "--resume");

        assertEquals(8, resumed.startStep());
        assertEquals(STEPS, resumed.steps());
        assertEquals(whole.digests().subList(8, STEPS), resumed.digests());
        assertArrayEquals(java.util.Arrays.copyOfRange(whole.losses(), 8, STEPS), resumed.losses());
        assertArrayEquals(whole.parameters(), resumed.parameters());
        assertEquals(whole.state(), resumed.state());
        assertEquals("seed=1,batch=24", resumed.state());
        assertEquals(whole.lossEma(), resumed.lossEma());
        assertEquals(whole.validAccuracy(), resumed.validAccuracy());
        assertArrayEquals(Files.readAllBytes(straight.resolve(Checkpoint.FILE_NAME)), Files.readAllBytes(file));
        assertFalse(Files.exists(stray), "stale temporary files are removed");
        assertEquals(STEPS, whole.digests().size());
        assertEquals(STEPS, whole.digests().stream().distinct().count(), "every batch differs");
    }

    @Test
    void run_resumedWithOtherSettings_isRefusedNamingThem() {
        Path checkpoints = dir.resolve("settings");
        train(checkpoints, StepListener.none(), "--steps", "8");

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> train(checkpoints, StepListener.none(), "--resume", "--lr", "0.02"));

        assertTrue(e.getMessage().startsWith(checkpoints.resolve(Checkpoint.FILE_NAME) + ": written by a run with other "
                + "settings: learningRate 0.01 (now 0.02)"), e.getMessage());
    }

    @Test
    void run_checkpointExistsWithoutResume_isRefused() {
        Path checkpoints = dir.resolve("exists");
        train(checkpoints, StepListener.none(), "--steps", "8");

        CheckpointException e = assertThrows(CheckpointException.class, () -> train(checkpoints, StepListener.none()));

        assertTrue(e.getMessage().endsWith("checkpoint.bin: exists (expected: --resume to continue from it, or a "
                + "--checkpoint-dir without one)"), e.getMessage());
    }

    @Test
    void run_resumeFromTruncatedCheckpoint_failsNamingTheFile() throws IOException {
        Path checkpoints = dir.resolve("truncated");
        train(checkpoints, StepListener.none(), "--steps", "8");
        Path file = checkpoints.resolve(Checkpoint.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> train(checkpoints, StepListener.none(), "--resume"));

        assertTrue(e.getMessage().startsWith(file + ": truncated: "), e.getMessage());
    }

    @Test
    void run_resumeWithoutCheckpoint_startsAtStepZero() {
        Path checkpoints = dir.resolve("empty");

        TrainResult r = train(checkpoints, StepListener.none(), "--steps", "4", "--resume");

        assertEquals(0, r.startStep());
        assertEquals(4, r.steps());
        assertEquals(checkpoints.resolve(Checkpoint.FILE_NAME), r.checkpoint());
        assertNotEquals(0, r.parameters().length);
    }
}
