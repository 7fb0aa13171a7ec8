package dev.batcher.materializers.dataset;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.format.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worked example of {@code docs/dataset-format.md}: make_fixtures.py runs its h5py code into
 * {@code doc_example/}; here it is indexed, and the table must be the one the doc shows.
 */
class DocExampleTest {
    private static final String INTRO = "which writes `my_dataset/labeled_signals.csv`:";

    private static String documentedTable() throws IOException {
        Path doc = Fixtures.root().getParent().getParent().resolve("docs/dataset-format.md");
        String text = Files.readString(doc);
        String after = text.substring(text.indexOf(INTRO) + INTRO.length());
        int open = after.indexOf("```\n") + 4;
        return after.substring(open, after.indexOf("```", open));
    }

    @Test
    void index_docExample_writesTheTableTheDocShowsAndLoads(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(Fixtures.path("doc_example"), dir);
        Path table = DatasetIndexer.index(dir);
        assertEquals(documentedTable(), Files.readString(table));

        LabeledSignal signal = Dataset.load(dir).signals().get(0);
        assertEquals("subject01-night1", signal.recording());
        assertEquals(List.of("C3-M2", "C4-M1", "O1-M2", "O2-M1"), signal.signal().channels());
        assertEquals(4, signal.labelEpochs());
        try (RecordingFiles files = new RecordingFiles(List.of(dir), 1)) {
            assertEquals(List.of(0, 1, 2, 2), java.util.Arrays.stream(
                    files.readLabels("night1.h5", "/labels/stage", 0, 4)[0]).boxed().toList());
            assertEquals(128, files.readSignal("night1.h5", "/signals/eeg", 0, 4, 15360 - 128, 128).samples());
        }
    }
}
