package dev.batcher.materializers.edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.api.BatchState;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetException;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.iteration.IterationException;
import dev.batcher.materializers.iteration.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BIDS recording whose EDF labels carry no kind ({@code Fpz}, {@code EOG1}): the kinds its
 * {@code _channels.tsv} gives reach recordings.json and group selection by kind.
 */
@Timeout(120)
class BidsChannelKindsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "sub-01/eeg/sub-01_task-sleep_";

    @TempDir
    Path dir;

    /** Fpz and Cz at 100 Hz, EOG1 at 50 Hz: two groups, 4 records of 30 s, with BIDS events. */
    private void recording(String channelsTsv) throws IOException {
        Files.createDirectories(dir.resolve("sub-01/eeg"));
        int records = 4;
        new EdfWriter().signal("Fpz", "uV", -200, 200, -2048, 2047, 3000, EdfWriter.samples(3000 * records, -2048, 2047, 1))
                .signal("Cz", "uV", -200, 200, -2048, 2047, 3000, EdfWriter.samples(3000 * records, -2048, 2047, 2))
                .signal("EOG1", "uV", -500, 500, -2048, 2047, 1500, EdfWriter.samples(1500 * records, -2048, 2047, 3))
                .duration("30")
                .write(dir.resolve(BASE + "eeg.edf"));
        Files.writeString(dir.resolve(BASE + "events.tsv"), "onset\tduration\ttrial_type\n0\t30\tW\n30\t30\tN1\n60\t30\tN2\n90\t30\tR\n");
        if (channelsTsv != null) {
            Files.writeString(dir.resolve(BASE + "channels.tsv"), channelsTsv);
        }
        Files.writeString(dir.resolve("dataset_description.json"), "{\"Name\": \"sleep\", \"BIDSVersion\": \"1.8.0\"}");
    }

    private static Set<String> drawnGroups(Dataset dataset, String signals) {
        BatchSource source = BatchSources.build(new SourceConfig.Sequential(2, 30.0, null, signals), dataset.signals());
        Set<String> groups = new HashSet<>();
        for (Step step = source.next(BatchState.initial(1)); step instanceof Step.Next next; step = source.next(next.state())) {
            for (ItemSpec item : next.spec().items()) {
                groups.add(item.signal());
            }
        }
        return groups;
    }

    @Test
    void index_bidsChannelsTsv_kindsRecordedAndGroupsSelectableByThem() throws IOException {
        recording("name\ttype\tunits\nFpz\tEEG\tuV\nCz\teeg\tuV\nEOG1\tEOG\tuV\n");
        DatasetIndexer.index(dir);
        JsonNode signals = JSON.readTree(dir.resolve("recordings.json").toFile()).path("files").path(BASE + "eeg.edf").path("signals");
        assertEquals("/100Hz", signals.get(0).path("dataset").asText());
        assertEquals("[\"EEG\",\"EEG\"]", signals.get(0).path("kinds").toString());
        assertEquals("[\"EOG\"]", signals.get(1).path("kinds").toString());

        Dataset dataset = Dataset.load(dir);
        LabeledSignal eog = dataset.signals().stream().filter(s -> s.signal().dataset().equals("/50Hz")).findFirst().orElseThrow();
        assertEquals(List.of("EOG"), eog.signal().kinds());
        assertEquals(Set.of("/50Hz"), drawnGroups(dataset, "kind:EOG"));
        assertEquals(Set.of("/100Hz"), drawnGroups(dataset, "kind:eeg"));
        assertEquals(Set.of("/100Hz", "/50Hz"), drawnGroups(dataset, "kind:EEG,EOG"));
    }

    @Test
    void index_noChannelsTsv_oneWordLabelsHaveNoKind() throws IOException {
        recording(null);
        DatasetIndexer.index(dir);
        JsonNode signals = JSON.readTree(dir.resolve("recordings.json").toFile()).path("files").path(BASE + "eeg.edf").path("signals");
        assertTrue(signals.get(0).path("kinds").isMissingNode(), signals.toString());
        IterationException e = assertThrows(IterationException.class, () -> drawnGroups(Dataset.load(dir), "kind:EOG"));
        assertTrue(e.getMessage().contains("signals: 'kind:EOG' keeps none of the 2 labeled signals"), e.getMessage());
    }

    @Test
    void index_channelsTsvWithoutTypeColumn_failsNamingTheFileAndColumn() throws IOException {
        recording("name\tunits\nFpz\tuV\n");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(dir));
        assertTrue(e.getMessage().contains(BASE + "channels.tsv") && e.getMessage().contains("type"), e.getMessage());
    }
}
