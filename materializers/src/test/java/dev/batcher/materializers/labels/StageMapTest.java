package dev.batcher.materializers.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.annotations.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageMapTest {
    @TempDir
    Path tmp;

    static Annotation text(String t) {
        return new Annotation(30_000_000_000L, 30_000_000_000L, t, "SC4001EC-Hypnogram.edf", "data record 0");
    }

    static int classOf(StageMap map, String t) {
        OptionalInt c = map.classify(text(t));
        return c.isPresent() ? c.getAsInt() : Integer.MIN_VALUE;
    }

    @Test
    void aasm_everyBuiltInText_mapsToItsClass() {
        Map<String, Integer> expected = Map.ofEntries(
                Map.entry("Sleep stage W", 0), Map.entry("Sleep stage 1", 1), Map.entry("Sleep stage 2", 2),
                Map.entry("Sleep stage 3", 3), Map.entry("Sleep stage 4", 3), Map.entry("Sleep stage R", 4),
                Map.entry("W", 0), Map.entry("N1", 1), Map.entry("N2", 2), Map.entry("N3", 3), Map.entry("R", 4),
                Map.entry("Sleep stage N1", 1), Map.entry("Sleep stage N2", 2), Map.entry("Sleep stage N3", 3),
                Map.entry("Wake|0", 0), Map.entry("Stage 1 sleep|1", 1), Map.entry("Stage 2 sleep|2", 2),
                Map.entry("Stage 3 sleep|3", 3), Map.entry("Stage 4 sleep|4", 3), Map.entry("REM sleep|5", 4),
                Map.entry("Movement time", -1), Map.entry("Sleep stage ?", -1), Map.entry("?", -1),
                Map.entry("Movement|6", -1), Map.entry("Unscored|9", -1), Map.entry("Unscored", -1), Map.entry("n/a", -1));
        StageMap aasm = StageMap.aasm();
        expected.forEach((t, c) -> assertEquals(c, classOf(aasm, t), t));
        assertEquals(List.of("W", "N1", "N2", "N3", "R"), aasm.encoding());
    }

    @Test
    void aasm_textsDifferingInCaseOrSpaces_areTheSame() {
        assertEquals(2, classOf(StageMap.aasm(), "  sleep   STAGE 2 "));
        assertEquals(4, classOf(StageMap.aasm(), "rem sleep|5"));
    }

    @Test
    void aasm_unknownText_failsNamingFileTextAndMap() {
        LabelException e = assertThrows(LabelException.class, () -> StageMap.aasm().classify(text("Lights off")));
        assertEquals("SC4001EC-Hypnogram.edf, data record 0: onset 30 s, 'Lights off': text 'Lights off' is not in the "
                + "built-in AASM map (expected: a sleep stage it knows, such as 'Sleep stage 2', 'N2' or 'Stage 2 sleep|2'; "
                + "to map or ignore this text, list it under \"stages\" or \"ignore\" in a stage map file, see "
                + "docs/dataset-format.md)", e.getMessage());
    }

    @Test
    void parse_extendsAasm_addsReplacesAndIgnores() throws Exception {
        Path file = Files.writeString(tmp.resolve("stage_map.json"), """
                {"stages": {"Stage 2": "N2", "Sleep stage 4": -1, "Artefact": -1},
                 "ignore": ["Lights off", "Sleep stage 1"]}
                """);
        StageMap m = StageMap.load(file);
        assertEquals(2, classOf(m, "stage 2"));
        assertEquals(-1, classOf(m, "Sleep stage 4"), "replaced");
        assertEquals(-1, classOf(m, "Artefact"));
        assertEquals(Integer.MIN_VALUE, classOf(m, "Lights off"), "ignored");
        assertEquals(Integer.MIN_VALUE, classOf(m, "Sleep stage 1"), "a built-in text ignored");
        assertEquals(3, classOf(m, "Sleep stage 3"), "the rest of the built-in map");
        LabelException e = assertThrows(LabelException.class, () -> m.classify(text("Snore")));
        assertTrue(e.getMessage().contains("is not in stage map " + file + " (on top of the built-in AASM map)"), e.getMessage());
    }

    @Test
    void parse_noneWithItsOwnEncodingAndUnknownIgnored_mapsOnlyItsTexts() {
        StageMap m = StageMap.parse("""
                {"extends": "none", "encoding": ["wake", "sleep"],
                 "stages": {"W": "wake", "N1": "sleep", "N2": "sleep", "?": -1}, "unknown": "ignore"}
                """, "binary.json");
        assertEquals(List.of("wake", "sleep"), m.encoding());
        assertEquals(1, classOf(m, "N2"));
        assertEquals(Integer.MIN_VALUE, classOf(m, "Sleep stage 2"), "not built in any more, and unknown texts are ignored");
        assertEquals("stage map binary.json", m.describe());
    }

    @Test
    void parse_badMaps_failNamingTheField() {
        assertEquals("m.json: stages: 'S2': \"N5\" (expected: a class of the encoding [W, N1, N2, N3, R], or -1 for no stage)",
                assertThrows(LabelException.class, () -> StageMap.parse("{\"stages\": {\"S2\": \"N5\"}}", "m.json")).getMessage());
        assertEquals("m.json: field stage: unknown (expected: extends, encoding, stages, ignore, unknown)",
                assertThrows(LabelException.class, () -> StageMap.parse("{\"stage\": {}}", "m.json")).getMessage());
        assertEquals("m.json: unknown: \"skip\" (expected: one of [error, ignore])",
                assertThrows(LabelException.class, () -> StageMap.parse("{\"unknown\": \"skip\"}", "m.json")).getMessage());
        assertEquals("m.json: encoding: null (expected: an array of strings, at least one)",
                assertThrows(LabelException.class, () -> StageMap.parse("{\"extends\": \"none\"}", "m.json")).getMessage());
        assertTrue(assertThrows(LabelException.class, () -> StageMap.parse("{\"encoding\": [\"a\"]}", "m.json")).getMessage()
                .startsWith("m.json: encoding: given with extends 'aasm'"));
        assertEquals("m.json: ignore: 'x' is also in stages (expected: each text in one of them)",
                assertThrows(LabelException.class,
                        () -> StageMap.parse("{\"stages\": {\"X\": \"W\"}, \"ignore\": [\"x\"]}", "m.json")).getMessage());
        assertTrue(assertThrows(LabelException.class, () -> StageMap.parse("{", "m.json")).getMessage()
                .startsWith("m.json: not valid JSON: "));
        assertEquals("m.json: ARRAY (expected: a JSON object with stages, ignore, unknown, extends, encoding)",
                assertThrows(LabelException.class, () -> StageMap.parse("[]", "m.json")).getMessage());
    }
}
