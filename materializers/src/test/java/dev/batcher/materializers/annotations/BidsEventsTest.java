package dev.batcher.materializers.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BidsEventsTest {
    static List<Annotation> read(String tsv) {
        return BidsEvents.read(new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)), "sub-01_task-sleep_events.tsv");
    }

    @Test
    void read_trialType_takesOnsetDurationAndText() {
        List<Annotation> a = read("\uFEFFonset\tduration\ttrial_type\tvalue\r\n0\t30\tW\t0\r\n30.5\tn/a\tN2\t2\r\n\n60\t30\tn/a\tn/a\n");
        assertEquals(3, a.size());
        assertEquals("W", a.get(0).text());
        assertEquals(30_500_000_000L, a.get(1).onsetNanos());
        assertEquals(Annotation.NO_DURATION, a.get(1).durationNanos());
        assertEquals("line 3", a.get(1).locator());
        assertEquals("n/a", a.get(2).text());
        assertEquals("line 5", a.get(2).locator());
    }

    @Test
    void read_valueWithoutTrialType_takesValue() {
        assertEquals(List.of("Sleep stage 2"), read("onset\tduration\tvalue\n0\t30\tSleep stage 2\n").stream()
                .map(Annotation::text).toList());
    }

    @Test
    void read_missingColumns_failNamingThem() {
        assertEquals("sub-01_task-sleep_events.tsv line 1: column duration: missing (expected: the duration of each event in "
                + "seconds, or n/a (BIDS); the header has [onset, trial_type])",
                assertThrows(AnnotationException.class, () -> read("onset\ttrial_type\n0\tW\n")).getMessage());
        assertEquals("sub-01_task-sleep_events.tsv line 1: columns trial_type and value: both missing (expected: one of them, "
                + "naming each event, e.g. the sleep stage; the header has [onset, duration, sample])",
                assertThrows(AnnotationException.class, () -> read("onset\tduration\tsample\n0\t30\t0\n")).getMessage());
    }

    @Test
    void read_badRows_failNamingTheLine() {
        assertEquals("sub-01_task-sleep_events.tsv line 2: onset: n/a (expected: a number of seconds; BIDS requires an onset)",
                assertThrows(AnnotationException.class, () -> read("onset\tduration\ttrial_type\nn/a\t30\tW\n")).getMessage());
        assertEquals("sub-01_task-sleep_events.tsv line 3: duration: -1 (expected: >= 0 seconds, or n/a)",
                assertThrows(AnnotationException.class,
                        () -> read("onset\tduration\ttrial_type\n0\t30\tW\n30\t-1\tW\n")).getMessage());
        assertEquals("sub-01_task-sleep_events.tsv line 2: 2 fields (expected: 3, one per column of the header "
                + "[onset, duration, trial_type], separated by tabs)",
                assertThrows(AnnotationException.class, () -> read("onset\tduration\ttrial_type\n0 30\tW\n")).getMessage());
        assertEquals("sub-01_task-sleep_events.tsv: empty (expected: a header row of tab-separated column names)",
                assertThrows(AnnotationException.class, () -> read("\n")).getMessage());
    }

    @Test
    void channels_read_namesToUpperCaseTypes() {
        Map<String, String> c = BidsChannels.read(new ByteArrayInputStream(
                "name\ttype\tunits\nFpz-Cz\teeg\tuV\nhorizontal\tEOG\tuV\nsubmental\tEMG\tuV\n".getBytes(StandardCharsets.UTF_8)),
                "sub-01_channels.tsv");
        assertEquals(Map.of("Fpz-Cz", "EEG", "horizontal", "EOG", "submental", "EMG"), c);
        assertEquals(List.of("Fpz-Cz", "horizontal", "submental"), List.copyOf(c.keySet()));
        assertEquals("sub-01_channels.tsv line 3: name: 'Fpz-Cz' repeated (expected: each channel once)",
                assertThrows(AnnotationException.class, () -> BidsChannels.read(new ByteArrayInputStream(
                        "name\ttype\nFpz-Cz\tEEG\nFpz-Cz\tEEG\n".getBytes(StandardCharsets.UTF_8)), "sub-01_channels.tsv"))
                        .getMessage());
    }
}
