package dev.batcher.service.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.annotations.EdfPlusWriter;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.kernels.Kernels;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker's files of a local EDF dataset serve the label grids index time built from its hypnograms. */
@Timeout(60)
class MaterializerCacheLabelsTest {
    @TempDir
    Path dir;

    @Test
    void get_localEdfDatasetWithHypnograms_materialisesItsLabels() throws Exception {
        LocalDateTime start = LocalDateTime.of(2020, 1, 2, 22, 30, 0);
        new EdfPlusWriter().plain().start(start).records(3, 30).signal(3000).write(dir.resolve("SC4001E0-PSG.edf"));
        new EdfPlusWriter().start(start).records(1, 0).tal(0, "+0", "30", "Sleep stage W").tal(0, "+30", "60", "Sleep stage R")
                .write(dir.resolve("SC4001EC-Hypnogram.edf"));
        DatasetIndexer.index(dir);
        ItemSpec item = new ItemSpec("SC4001E0-PSG", "SC4001E0-PSG.edf", "/100Hz", 3000, 3000, ChannelSelection.all(),
                "/labels/stage", 1, 2, 0);
        try (MaterializerCache cache = new MaterializerCache(List.of(dir.toString()), 4, Kernels.scalar());
             Batch b = cache.get(dir.toString(), MaterializeOptions.defaults()).materialize(new BatchSpec(List.of(item)))) {
            assertEquals(4, b.y().get(0), "epoch 1 is R");
            assertEquals(4, b.y().get(1), "epoch 2 is R");
        }
    }
}
