package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.annotations.EdfPlusWriter;
import dev.batcher.service.cli.CommandLineTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code batcher index} on a Sleep-EDF folder: no flags, another epoch, another stage map. */
@Timeout(120)
class IndexCommandTest {
    private static final LocalDateTime START = LocalDateTime.of(2020, 1, 2, 22, 30, 0);

    @TempDir
    Path tmp;

    /** A night of two 30 s epochs scored with these texts. */
    private Path sleepEdf(String first, String second) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sleep"));
        new EdfPlusWriter().plain().start(START).records(2, 30).signal(3000).write(dir.resolve("SC4001E0-PSG.edf"));
        new EdfPlusWriter().start(START).records(1, 0).tal(0, "+0", "30", first).tal(0, "+30", "30", second)
                .write(dir.resolve("SC4001EC-Hypnogram.edf"));
        return dir;
    }

    @Test
    void index_sleepEdfFolder_noFlags_writesTheHypnogramsGrid() throws Exception {
        Path dir = sleepEdf("Sleep stage 2", "Sleep stage 2");
        Run r = CommandLineTest.run("index", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("indexed 1 labeled signals into " + dir.resolve("labeled_signals.csv") + "\n", r.out());
        JsonNode labels = new ObjectMapper().readTree(dir.resolve("recordings.json").toFile())
                .path("files").path("SC4001E0-PSG.edf").path("labels").get(0);
        assertEquals("[[2,2]]", labels.path("values").toString());
    }

    @Test
    void index_epochSecondsAndStageMap_areUsed() throws Exception {
        Path dir = sleepEdf("Awake", "Awake");
        Path map = Files.writeString(tmp.resolve("map.json"), "{\"stages\": {\"Awake\": \"W\"}}");
        Run r = CommandLineTest.run("index", "--epoch-seconds", "20", "--stage-map", map.toString(), dir.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode labels = new ObjectMapper().readTree(dir.resolve("recordings.json").toFile())
                .path("files").path("SC4001E0-PSG.edf").path("labels").get(0);
        assertEquals("[[0,0,0]]", labels.path("values").toString());
        assertEquals(0.05, labels.path("sample_rate").asDouble(), 1e-12);
    }

    @Test
    void index_unknownTextOrBadEpoch_failsWithAMessage() throws Exception {
        Path dir = sleepEdf("Sleep stage W", "Awake");
        Run unknown = CommandLineTest.run("index", dir.toString());
        assertNotEquals(0, unknown.code());
        assertTrue(unknown.err().contains("SC4001EC-Hypnogram.edf, data record 0: onset 30 s, 'Awake': text 'Awake' is not in "
                + "the built-in AASM map"), unknown.err());
        Run epoch = CommandLineTest.run("index", "--epoch-seconds", "0", dir.toString());
        assertNotEquals(0, epoch.code());
        assertTrue(epoch.err().contains("--epoch-seconds: 0.0 (expected: a number of seconds > 0)"), epoch.err());
    }
}
