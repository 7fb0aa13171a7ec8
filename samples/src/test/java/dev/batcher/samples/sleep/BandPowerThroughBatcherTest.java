package dev.batcher.samples.sleep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.features.BandPowerFeaturizer;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Batch;
import dev.batcher.api.Batcher;
import dev.batcher.materializers.features.Featurizer;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.Taken;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The featurised batches the trainer receives are the featuriser applied to the raw batches. */
@Timeout(60)
class BandPowerThroughBatcherTest {
    @TempDir
    Path dir;

    @Test
    void take_bandpowerFeaturizer_equalsTheFeaturizerAppliedToTheRawBatch() {
        Path dataset = TinyDataset.generate(dir);
        SourceConfig source = new SourceConfig.Random(8, 30, null, "names:C3,C4,F3,F4", null, null);
        BatcherSpec raw = BatcherSpec.of(dataset.toString(), source);
        BatcherSpec featurised = raw.withOptions(MaterializeOptions.defaults().withFeaturizer("bandpower", List.of()));
        LocalBatcherFactory factory = new LocalBatcherFactory(4);
        BatchState at = new BatchState(9, 3);
        try (Batcher r = factory.open("raw", raw); Batcher f = factory.open("featurised", featurised);
                Batch signal = ((Taken.Next) r.take(at)).batch(); Batch features = ((Taken.Next) f.take(at)).batch()) {
            assertArrayEquals(new int[] {8, 4, 30 * 128}, signal.xShape());
            assertArrayEquals(new int[] {8, 4, 6}, features.xShape());
            assertArrayEquals(ints(signal), ints(features));
            Featurizer.Plan plan = new BandPowerFeaturizer().plan(4, 30 * 128, 128, List.of());
            float[] x = new float[8 * 4 * 30 * 128];
            signal.x().get(x);
            float[] expected = new float[8 * 24];
            for (int i = 0; i < 8; i++) {
                float[] item = java.util.Arrays.copyOfRange(x, i * 4 * 30 * 128, (i + 1) * 4 * 30 * 128);
                plan.apply(item, expected, i * 24);
            }
            float[] got = new float[8 * 24];
            features.x().get(got);
            assertArrayEquals(expected, got);
            assertEquals(8, features.yShape()[0]);
        }
    }

    private static int[] ints(Batch batch) {
        int[] y = new int[batch.y().remaining()];
        batch.y().get(y);
        return y;
    }
}
