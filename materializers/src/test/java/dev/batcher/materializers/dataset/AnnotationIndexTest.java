package dev.batcher.materializers.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.annotations.EdfPlusWriter;
import dev.batcher.materializers.annotations.MneReference;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.storage.S3ProxyServer;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datasets as users have them, indexed with no flags: EDF signals with their hypnograms, NSRR XML,
 * BIDS events, a manifest, or their own EDF+ annotations; labels checked against MNE.
 */
@Timeout(300)
class AnnotationIndexTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDateTime START = LocalDateTime.of(1989, 4, 24, 16, 13, 0);

    @TempDir
    Path dir;

    /** A plain EDF PSG of {@code records} 30 s records of one 100 Hz EEG channel. */
    static Path psg(Path file, int records) throws IOException {
        Files.createDirectories(file.getParent());
        return new EdfPlusWriter().plain().start(START).records(records, 30).signal(3000).write(file);
    }

    /** The Sleep-EDF night of the tests: its hypnogram header starts 30 s after the PSG's. */
    static EdfPlusWriter hypnogram() {
        return new EdfPlusWriter().start(START.plusSeconds(30)).records(1, 0).annotationBytes(1024)
                .tal(0, "+0", "60", "Sleep stage W")
                .tal(0, "+60", "90", "Sleep stage 1")
                .tal(0, "+150", "120", "Sleep stage 2")
                .tal(0, "+270", "60", "Sleep stage 3")
                .tal(0, "+330", "30", "Sleep stage 4")
                .tal(0, "+360", "30", "Movement time")
                .tal(0, "+390", "120", "Sleep stage R")
                .tal(0, "+510", "600", "Sleep stage ?");
    }

    /** The grid of that night, in the PSG's time: from 30 s, 17 epochs. */
    static final int[] NIGHT = {0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, -1, 4, 4, 4, 4};

    static JsonNode labelsOf(Path dir, String file) throws IOException {
        return JSON.readTree(dir.resolve("recordings.json").toFile()).path("files").path(file).path("labels").get(0);
    }

    static int[] values(JsonNode labels) {
        JsonNode row = labels.path("values").get(0);
        int[] out = new int[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).asInt();
        }
        return out;
    }

    @Test
    void index_sleepEdfLayout_labelsFromHypnogramsAlignedAsMneAlignsThem() throws Exception {
        Path psg = psg(dir.resolve("sleep-cassette/SC4001E0-PSG.edf"), 20);
        Path hyp = hypnogram().write(dir.resolve("sleep-cassette/SC4001EC-Hypnogram.edf"));
        psg(dir.resolve("sleep-cassette/SC4002E0-PSG.edf"), 20);
        hypnogram().write(dir.resolve("sleep-cassette/SC4002EH-Hypnogram.edf"));
        psg(dir.resolve("sleep-cassette/SC4003E0-PSG.edf"), 20); // no hypnogram: warned about, not indexed

        DatasetIndexer.index(dir);

        assertEquals(List.of("recording,file,signal,labels,signal_start_ns,signal_stop_ns,label_start_ns,label_stop_ns",
                "sleep-cassette/SC4001E0-PSG,sleep-cassette/SC4001E0-PSG.edf,/100Hz,/labels/stage,0,600000000000,30000000000,540000000000",
                "sleep-cassette/SC4002E0-PSG,sleep-cassette/SC4002E0-PSG.edf,/100Hz,/labels/stage,0,600000000000,30000000000,540000000000"),
                Files.readAllLines(dir.resolve("labeled_signals.csv")));
        JsonNode labels = labelsOf(dir, "sleep-cassette/SC4001E0-PSG.edf");
        assertEquals("/labels/stage", labels.path("dataset").asText());
        assertEquals("[\"W\",\"N1\",\"N2\",\"N3\",\"R\"]", labels.path("encoding").toString());
        assertEquals(30_000_000_000L, labels.path("start_ns").asLong());
        assertArrayEquals(NIGHT, values(labels));

        // MNE's view: the hypnogram's annotations set on the PSG (MNE moves them by the start difference).
        List<String> mne = mneAnnotationsOnRaw(psg, hyp);
        StageMap aasm = StageMap.aasm();
        for (int k = 0; k < NIGHT.length; k++) {
            double mid = 30 + 30 * k + 15;
            String text = mne.stream().map(l -> l.split("\t")).filter(f -> Double.parseDouble(f[0]) <= mid
                    && mid < Double.parseDouble(f[0]) + Double.parseDouble(f[1])).map(f -> f[2]).findFirst().orElseThrow();
            int expected = aasm.classify(new Annotation(0, 0, text, "mne", "-")).orElseThrow();
            assertEquals(expected, NIGHT[k], "epoch " + k + ": MNE says '" + text + "'");
        }

        Dataset ds = Dataset.load(dir);
        assertEquals(2, ds.signals().size());
        try (RecordingFiles files = ds.openFiles(2)) {
            assertArrayEquals(new int[][] {NIGHT}, files.readLabels("sleep-cassette/SC4001E0-PSG.edf", "/labels/stage", 0, 17));
        }
    }

    private static List<String> mneAnnotationsOnRaw(Path psg, Path hyp) throws Exception {
        Path script = psg.getParent().resolve("mne_set_annotations.py");
        Files.writeString(script, String.join("\n",
                "import sys, mne",
                "mne.set_log_level('ERROR')",
                "from datetime import datetime, timezone",
                "raw = mne.io.read_raw_edf(sys.argv[1])",
                "a = mne.read_annotations(sys.argv[2])",
                "# MNE 1.3 gives EDF annotations no orig_time (it assumes the PSG's start); give them the",
                "# hypnogram header's start date and time (bytes 168-184), so that MNE moves them to the PSG's time.",
                "head = open(sys.argv[2], 'rb').read(184)[168:184].decode('ascii')",
                "start = datetime.strptime(head, '%d.%m.%y%H.%M.%S').replace(tzinfo=timezone.utc)",
                "raw.set_annotations(mne.Annotations(a.onset, a.duration, a.description, orig_time=start), emit_warning=False)",
                "for o, d, t in zip(raw.annotations.onset, raw.annotations.duration, raw.annotations.description):",
                "    print('%.9f\\t%.9f\\t%s' % (o, d, t))",
                ""));
        Process p = new ProcessBuilder(MneReference.python(), script.toString(), psg.toString(), hyp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python finishes");
        assertEquals(0, p.exitValue(), out);
        Files.delete(script);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void index_nsrrTree_stagesFromTheXml() throws Exception {
        psg(dir.resolve("polysomnography/edfs/shhs1/shhs1-200001.edf"), 4);
        Path xml = dir.resolve("polysomnography/annotations-events-nsrr/shhs1/shhs1-200001-nsrr.xml");
        Files.createDirectories(xml.getParent());
        Files.writeString(xml, """
                <?xml version="1.0" encoding="UTF-8" standalone="no"?>
                <PSGAnnotation><SoftwareVersion>Compumedics</SoftwareVersion><EpochLength>30</EpochLength><ScoredEvents>
                <ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept><Start>0</Start>
                <Duration>120.0</Duration><ClockTime>00.00.00 16.13.00</ClockTime></ScoredEvent>
                <ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Wake|0</EventConcept><Start>0.0</Start>
                <Duration>30.0</Duration></ScoredEvent>
                <ScoredEvent><EventType>Arousals|Arousals</EventType><EventConcept>Arousal|Arousal ()</EventConcept>
                <Start>31.5</Start><Duration>5.0</Duration></ScoredEvent>
                <ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Stage 2 sleep|2</EventConcept><Start>30.0</Start>
                <Duration>60.0</Duration></ScoredEvent>
                <ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>REM sleep|5</EventConcept><Start>90.0</Start>
                <Duration>30.0</Duration></ScoredEvent>
                </ScoredEvents></PSGAnnotation>
                """);
        DatasetIndexer.index(dir);
        assertArrayEquals(new int[] {0, 2, 2, 4}, values(labelsOf(dir, "polysomnography/edfs/shhs1/shhs1-200001.edf")));
        assertEquals(1, Dataset.load(dir).signals().size());
    }

    @Test
    void index_bidsTree_stagesFromEventsTsv() throws Exception {
        psg(dir.resolve("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg.edf"), 4);
        Files.writeString(dir.resolve("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_events.tsv"),
                "onset\tduration\ttrial_type\n0\t30\tW\n30\t30\tN1\n60\t30\tn/a\n90\t30\tN3\n");
        Files.writeString(dir.resolve("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_channels.tsv"), "name\ttype\tunits\nEEG Fpz-Cz\tEEG\tuV\n");
        Files.writeString(dir.resolve("dataset_description.json"), "{\"Name\": \"sleep\", \"BIDSVersion\": \"1.8.0\"}");
        DatasetIndexer.index(dir);
        assertArrayEquals(new int[] {0, 1, -1, 3}, values(labelsOf(dir, "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg.edf")));
    }

    @Test
    void index_manifest_pairsAndNamesRecordings() throws Exception {
        psg(dir.resolve("psg/a.edf"), 4);
        psg(dir.resolve("psg/b.edf"), 4);
        Files.createDirectories(dir.resolve("scoring"));
        Files.writeString(dir.resolve("scoring/a.tsv"), "onset\tduration\tvalue\n0\t120\tSleep stage 2\n");
        new EdfPlusWriter().start(START).records(1, 0).tal(0, "+0", "60", "R").tal(0, "+60", "60", "N3")
                .write(dir.resolve("scoring/b-hypnogram.edf"));
        Files.writeString(dir.resolve("recordings.csv"), "recording,signal_file,annotation_file\n"
                + "night-a,psg/a.edf,scoring/a.tsv\nnight-b,psg/b.edf,scoring/b-hypnogram.edf\n");
        DatasetIndexer.index(dir);
        List<String> table = Files.readAllLines(dir.resolve("labeled_signals.csv"));
        assertTrue(table.get(1).startsWith("night-a,psg/a.edf,/100Hz,/labels/stage,"), table.toString());
        assertTrue(table.get(2).startsWith("night-b,psg/b.edf,/100Hz,/labels/stage,"), table.toString());
        assertArrayEquals(new int[] {4, 4, 3, 3}, values(labelsOf(dir, "psg/b.edf")));
        assertEquals(List.of("night-a", "night-b"), Dataset.load(dir).signals().stream().map(LabeledSignal::recording).toList());
    }

    @Test
    void index_ownEdfPlusAnnotations_labelsFromThemAndFilesWithoutStagesLeftOut() throws Exception {
        new EdfPlusWriter().start(START).records(4, 30).signal(3000)
                .tal(0, "+0", "30", "Sleep stage W").tal(1, "+30", "60", "Sleep stage 2").tal(2, "+90", "30", "Sleep stage R")
                .write(dir.resolve("scored.edf"));
        new EdfPlusWriter().start(START).records(4, 30).signal(3000).tal(0, "+0", null, "Recording starts")
                .write(dir.resolve("unscored.edf"));
        DatasetIndexer.index(dir);
        assertEquals(2, Files.readAllLines(dir.resolve("labeled_signals.csv")).size(), "only scored.edf");
        assertArrayEquals(new int[] {0, 2, 2, 4}, values(labelsOf(dir, "scored.edf")));
    }

    @Test
    void index_onlyUnscoredFiles_failsSayingWhatWasExpected() throws Exception {
        psg(dir.resolve("SC4001E0-PSG.edf"), 2);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(dir));
        assertTrue(e.getMessage().endsWith(": no labeled signals (expected: HDF5 files with a signal dataset carrying a "
                + "'labels' attribute, or EDF/BDF files with hypnograms or annotation files in a layout index finds or a "
                + "recordings.csv manifest names, see docs/dataset-format.md)"), e.getMessage());
    }

    @Test
    void index_conflictingStages_failsNamingBothAnnotations() throws Exception {
        psg(dir.resolve("SC4001E0-PSG.edf"), 4);
        new EdfPlusWriter().start(START).records(1, 0).tal(0, "+0", "60", "Sleep stage W").tal(0, "+45", "30", "Sleep stage 2")
                .write(dir.resolve("SC4001EC-Hypnogram.edf"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(dir));
        assertEquals(dir.toAbsolutePath() + ": conflicting stages: SC4001EC-Hypnogram.edf, data record 0: onset 0 s, "
                + "'Sleep stage W' means W and SC4001EC-Hypnogram.edf, data record 0: onset 45 s, 'Sleep stage 2' means N2, "
                + "and they overlap over [45 s, 60 s) (expected: annotations that overlap to give the same stage; fix or "
                + "remove one of them)", e.getMessage());
    }

    @Test
    void index_stageMapFileAndEpochOption_areHonoured() throws Exception {
        psg(dir.resolve("SC4001E0-PSG.edf"), 2);
        new EdfPlusWriter().start(START).records(1, 0).tal(0, "+0", "30", "Awake").tal(0, "+30", "30", "Lights off")
                .tal(0, "+30", "30", "Deep")
                .write(dir.resolve("SC4001EC-Hypnogram.edf"));
        Files.writeString(dir.resolve("stage_map.json"),
                "{\"stages\": {\"Awake\": \"W\", \"Deep\": \"N3\"}, \"ignore\": [\"Lights off\"]}");
        DatasetIndexer.index(dir.toString(), Storage.shared(), DatasetIndexer.defaultLabelSources(), 10_000_000_000L);
        JsonNode labels = labelsOf(dir, "SC4001E0-PSG.edf");
        assertArrayEquals(new int[] {0, 0, 0, 3, 3, 3}, values(labels));
        assertEquals(0.1, labels.path("sample_rate").asDouble(), 1e-12);

        Files.writeString(dir.resolve("stage_map.json"), "{\"stages\": {\"Awake\": \"W\"}}");
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(dir));
        assertTrue(e.getMessage().contains("'Lights off': text 'Lights off' is not in stage map " + dir.toAbsolutePath()
                + "/stage_map.json (on top of the built-in AASM map)"), e.getMessage());
    }

    @Test
    void index_overS3_writesWhatALocalIndexWrites() throws Exception {
        Path local = dir.resolve("local");
        psg(local.resolve("SC4001E0-PSG.edf"), 20);
        hypnogram().write(local.resolve("SC4001EC-Hypnogram.edf"));
        psg(local.resolve("sub-01/eeg/sub-01_task-sleep_eeg.edf"), 4);
        Files.writeString(local.resolve("sub-01/eeg/sub-01_task-sleep_events.tsv"), "onset\tduration\ttrial_type\n0\t120\tN2\n");
        Files.createDirectories(dir.resolve("backend"));
        try (S3ProxyServer s3 = new S3ProxyServer(dir.resolve("backend"))) {
            s3.createBucket("psg");
            try (S3Store direct = new S3Store(s3.options()); Stream<Path> files = Files.walk(local)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    direct.write("psg", "sleep/" + local.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
            DatasetIndexer.index(local);
            try (Storage storage = new Storage(new S3Store(s3.options()), dir.resolve("cache"), 64L << 20)) {
                DatasetIndexer.index("s3://psg/sleep", storage);
                String table = new String(storage.store().readAll("psg", "sleep/labeled_signals.csv"), StandardCharsets.UTF_8);
                assertEquals(Files.readString(local.resolve("labeled_signals.csv")), table);
                JsonNode remote = JSON.readTree(storage.store().readAll("psg", "sleep/recordings.json")).path("files");
                assertEquals(labelsOf(local, "SC4001E0-PSG.edf"), remote.path("SC4001E0-PSG.edf").path("labels").get(0));
                assertArrayEquals(NIGHT, values(remote.path("SC4001E0-PSG.edf").path("labels").get(0)));
                assertArrayEquals(new int[] {2, 2, 2, 2}, values(remote.path("sub-01/eeg/sub-01_task-sleep_eeg.edf").path("labels").get(0)));
            }
        }
    }
}
