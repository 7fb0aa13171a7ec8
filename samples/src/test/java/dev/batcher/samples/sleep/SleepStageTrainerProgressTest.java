package dev.batcher.samples.sleep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/** The trainer learns on the tiny dataset and reports its progress. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SleepStageTrainerProgressTest {
    private static final int STEPS = 150;

    private Path dataset;
    private TrainResult result;
    private List<String> lines;

    @BeforeAll
    void train(@TempDir Path dir) {
        dataset = TinyDataset.generate(dir.resolve("data"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        result = SleepStageTrainer.run(TinyDataset.args(dataset, "--steps", Integer.toString(STEPS), "--progress-every", "50"),
                new LocalBatcherFactory(), new PrintStream(bytes, true, StandardCharsets.UTF_8), StepListener.none());
        lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void run_tinyDataset_lossFalls() {
        double[] losses = result.losses();
        double first = Arrays.stream(losses, 0, 10).average().orElseThrow();
        double last = Arrays.stream(losses, STEPS - 10, STEPS).average().orElseThrow();

        assertEquals(STEPS, losses.length);
        assertTrue(last < first / 3, "mean loss of the first 10 steps " + first + ", of the last 10 " + last);
        assertTrue(result.lossEma() < 0.5, "loss EMA " + result.lossEma());
    }

    @Test
    void run_heldOutRecording_isClassifiedWellAboveChance() {
        long[][] confusion = result.confusion();
        long total = Arrays.stream(confusion).flatMapToLong(Arrays::stream).sum();
        long majority = Arrays.stream(confusion).mapToLong(row -> Arrays.stream(row).sum()).max().orElseThrow();
        double baseline = (double) majority / total;

        assertTrue(baseline < 0.5, "no stage dominates the held-out recording: " + Arrays.deepToString(confusion));
        assertTrue(result.validAccuracy() > 0.8 && result.validAccuracy() > baseline + 0.3, "held-out accuracy "
                + result.validAccuracy() + ", chance 0.2, majority " + baseline + ": " + Arrays.deepToString(confusion));
        assertEquals(result.validEpochs(), total);
        assertEquals(59, result.validEpochs(), "every held-out epoch once");
        assertEquals(List.of("wake", "n1", "n2", "n3", "rem"), result.classes());
    }

    @Test
    void run_progressEvery50Steps_printsStepLossAccuracyRateAndTakeWait() {
        List<String> steps = lines.stream().filter(l -> l.startsWith("step ")).toList();

        assertEquals(3, steps.size(), String.join("\n", lines));
        assertTrue(steps.get(0).matches("step 50/150  loss \\d+\\.\\d{4}  train acc \\d\\.\\d{3}  \\d+\\.\\d{2} batches/s  "
                + "take-wait \\d+\\.\\d%"), steps.get(0));
        assertTrue(steps.get(2).startsWith("step 150/150  "), steps.get(2));
    }

    @Test
    void run_finished_printsHeldOutAccuracyAndConfusionLast() {
        String last = lines.get(lines.size() - 1);

        assertTrue(last.matches("done: step 150 \\(150 this run\\) in \\d+\\.\\d s, \\d+\\.\\d{2} batches/s, take-wait "
                + "\\d+\\.\\d%; held-out accuracy \\d\\.\\d{4} \\(\\d+/59 epochs\\); confusion rows=true cols=predicted "
                + "wake\\[.*] n1\\[.*] n2\\[.*] n3\\[.*] rem\\[.*]"), last);
    }

    @Test
    void run_finished_reportsRateAndTakeWaitShare() {
        assertTrue(result.batchesPerSecond() > 0, "batches/s " + result.batchesPerSecond());
        assertTrue(result.takeWaitShare() > 0 && result.takeWaitShare() < 1, "take-wait " + result.takeWaitShare());
        assertTrue(result.seconds() > 0);
        assertEquals(0, result.startStep());
        assertEquals(STEPS, result.steps());
        assertEquals(List.of(), result.digests(), "digests only when asked for");
        assertNull(result.checkpoint());
    }

    @Test
    void run_help_printsUsageAndReturnsNull() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        TrainResult r = SleepStageTrainer.run(new String[] {"--help"}, new LocalBatcherFactory(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8), StepListener.none());

        assertNull(r);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("--checkpoint-dir=DIR"));
    }

    @Test
    void run_unknownOption_failsWithPicocliCause() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SleepStageTrainer.run(new String[] {"--dataset", dataset.toString(), "--bogus"}));

        assertTrue(e.getCause() instanceof ParameterException, String.valueOf(e.getCause()));
        assertTrue(e.getMessage().contains("--bogus"), e.getMessage());
    }

    @Test
    void run_holdoutOfEveryRecording_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SleepStageTrainer.run(TinyDataset.args(dataset, "--holdout", "3")));

        assertEquals("--holdout: 3 (expected: 0 to 2; the dataset has 3 recordings)", e.getMessage());
    }
}
