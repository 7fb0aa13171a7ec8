package dev.batcher.materializers.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.dataset.DiscoveredRecording.Annotations;
import dev.batcher.materializers.dataset.DiscoveredRecording.Layout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {
    @TempDir
    Path tmp;

    static Discovery.Result discover(String... names) {
        return Discovery.discover("/data", List.of(names), name -> {
            throw new AssertionError("no file is read without a manifest: " + name);
        });
    }

    static DiscoveredRecording r(String id, String signal, Layout layout, Annotations a, String annotationFile) {
        return new DiscoveredRecording(id, signal, layout, a, Optional.ofNullable(annotationFile), Optional.empty());
    }

    @Test
    void discover_sleepEdfPairs_bySevenCharacterPrefix() {
        Discovery.Result d = discover("sleep-cassette/SC4011EH-Hypnogram.edf", "sleep-cassette/SC4001E0-PSG.edf",
                "sleep-cassette/SC4001EC-Hypnogram.edf", "sleep-cassette/SC4011E0-PSG.edf", "RECORDS", "SHA256SUMS.txt");
        assertEquals(List.of(
                r("sleep-cassette/SC4001E0-PSG", "sleep-cassette/SC4001E0-PSG.edf", Layout.SLEEP_EDF, Annotations.EDF_PLUS,
                        "sleep-cassette/SC4001EC-Hypnogram.edf"),
                r("sleep-cassette/SC4011E0-PSG", "sleep-cassette/SC4011E0-PSG.edf", Layout.SLEEP_EDF, Annotations.EDF_PLUS,
                        "sleep-cassette/SC4011EH-Hypnogram.edf")), d.recordings());
        assertEquals(List.of(), d.warnings());
    }

    @Test
    void discover_sleepEdfUnmatched_keepsThePsgAndWarnsForBoth() {
        Discovery.Result d = discover("SC4001E0-PSG.edf", "SC4002EC-Hypnogram.edf", "other/SC4001EC-Hypnogram.edf");
        assertEquals(List.of(r("SC4001E0-PSG", "SC4001E0-PSG.edf", Layout.SLEEP_EDF, Annotations.EMBEDDED, null)), d.recordings());
        assertEquals(List.of(
                "SC4001E0-PSG.edf: no Sleep-EDF hypnogram SC4001E?-Hypnogram.edf beside it; its labels can only come from its "
                        + "own annotation signal",
                "SC4002EC-Hypnogram.edf: annotation file with no signal file to pair it with (expected: SC4002E?-PSG.edf); not used",
                "other/SC4001EC-Hypnogram.edf: annotation file with no signal file to pair it with (expected: "
                        + "other/SC4001E?-PSG.edf); not used"), d.warnings());
    }

    @Test
    void discover_sleepEdfTwoHypnogramsForOneNight_fails() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> discover("SC4001E0-PSG.edf", "SC4001EC-Hypnogram.edf", "SC4001EJ-Hypnogram.edf"));
        assertEquals("/data: SC4001EC-Hypnogram.edf and SC4001EJ-Hypnogram.edf: two Sleep-EDF hypnograms for subject and "
                + "night SC4001E (expected: one PSG and one hypnogram per 7-character prefix; list the pairs in a "
                + "recordings.csv manifest instead, see docs/dataset-format.md)", e.getMessage());
    }

    @Test
    void discover_nsrrTree_pairsEdfWithNsrrXml() {
        Discovery.Result d = discover(
                "shhs/polysomnography/edfs/shhs1/shhs1-200001.edf",
                "shhs/polysomnography/edfs/shhs1/shhs1-200002.edf",
                "shhs/polysomnography/annotations-events-nsrr/shhs1/shhs1-200001-nsrr.xml",
                "shhs/polysomnography/annotations-events-nsrr/shhs1/shhs1-200003-nsrr.xml",
                "shhs/polysomnography/annotations-events-profusion/shhs1/shhs1-200001-profusion.xml",
                "shhs/datasets/shhs1-dataset-0.21.0.csv");
        assertEquals(List.of(
                r("shhs/polysomnography/edfs/shhs1/shhs1-200001", "shhs/polysomnography/edfs/shhs1/shhs1-200001.edf", Layout.NSRR,
                        Annotations.NSRR_XML, "shhs/polysomnography/annotations-events-nsrr/shhs1/shhs1-200001-nsrr.xml"),
                r("shhs/polysomnography/edfs/shhs1/shhs1-200002", "shhs/polysomnography/edfs/shhs1/shhs1-200002.edf", Layout.NSRR,
                        Annotations.EMBEDDED, null)), d.recordings());
        assertEquals(List.of(
                "shhs/polysomnography/annotations-events-nsrr/shhs1/shhs1-200003-nsrr.xml: annotation file with no signal file "
                        + "to pair it with (expected: shhs/polysomnography/edfs/shhs1/shhs1-200003.edf); not used",
                "shhs/polysomnography/edfs/shhs1/shhs1-200002.edf: no NSRR annotation file "
                        + "shhs/polysomnography/annotations-events-nsrr/shhs1/shhs1-200002-nsrr.xml; its labels can only come "
                        + "from its own annotation signal"), d.warnings());
    }

    @Test
    void discover_bids_pairsEventsAndChannelsWithAndWithoutSessions() {
        Discovery.Result d = discover(
                "dataset_description.json", "participants.tsv",
                "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg.edf",
                "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_events.tsv",
                "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_channels.tsv",
                "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg.json",
                "sub-02/eeg/sub-02_task-sleep_eeg.bdf",
                "sub-02/eeg/sub-02_task-sleep_events.tsv",
                "sub-03/eeg/sub-03_task-sleep_eeg.edf",
                "sub-04/eeg/sub-04_task-sleep_events.tsv");
        assertEquals(List.of(
                new DiscoveredRecording("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg", "sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_eeg.edf",
                        Layout.BIDS, Annotations.BIDS_EVENTS, Optional.of("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_events.tsv"),
                        Optional.of("sub-01/ses-1/eeg/sub-01_ses-1_task-sleep_channels.tsv")),
                r("sub-02/eeg/sub-02_task-sleep_eeg", "sub-02/eeg/sub-02_task-sleep_eeg.bdf", Layout.BIDS, Annotations.BIDS_EVENTS,
                        "sub-02/eeg/sub-02_task-sleep_events.tsv"),
                r("sub-03/eeg/sub-03_task-sleep_eeg", "sub-03/eeg/sub-03_task-sleep_eeg.edf", Layout.BIDS, Annotations.EMBEDDED, null)),
                d.recordings());
        assertEquals(List.of(
                "sub-03/eeg/sub-03_task-sleep_eeg.edf: no BIDS events file sub-03/eeg/sub-03_task-sleep_events.tsv; its labels can "
                        + "only come from its own annotation signal",
                "sub-04/eeg/sub-04_task-sleep_events.tsv: annotation file with no signal file to pair it with (expected: "
                        + "sub-04/eeg/sub-04_task-sleep_eeg.edf or .bdf); not used"), d.warnings());
    }

    @Test
    void discover_hdf5AndOtherEdf_andHiddenFilesLeftOut() {
        Discovery.Result d = discover("night1.h5", "site2/night2.hdf5", "misc/rec.EDF", ".trash/SC4001E0-PSG.edf",
                "x/.hidden.edf", "notes.txt");
        assertEquals(List.of(
                r("misc/rec", "misc/rec.EDF", Layout.EDF, Annotations.EMBEDDED, null),
                r("night1", "night1.h5", Layout.HDF5, Annotations.HDF5, null),
                r("site2/night2", "site2/night2.hdf5", Layout.HDF5, Annotations.HDF5, null)), d.recordings());
        assertEquals(List.of(), d.warnings());
    }

    @Test
    void discover_twoFilesOneRecording_fails() {
        DatasetException e = assertThrows(DatasetException.class, () -> discover("a.edf", "a.h5"));
        assertEquals("/data: a.edf and a.h5: both would be recording a (expected: one signal file per recording; rename one, "
                + "or list them in a recordings.csv manifest)", e.getMessage());
    }

    @Test
    void discover_anyListingOrder_givesTheSameResult() {
        List<String> names = new ArrayList<>(List.of("b/SC4002E0-PSG.edf", "b/SC4002EC-Hypnogram.edf", "a/SC4001E0-PSG.edf",
                "a/SC4001EC-Hypnogram.edf", "sub-01/eeg/sub-01_eeg.edf", "sub-01/eeg/sub-01_events.tsv", "z.h5",
                "lonely-nsrr.xml", "polysomnography/edfs/c/s.edf", "polysomnography/annotations-events-nsrr/c/s-nsrr.xml"));
        Discovery.Result first = Discovery.discover("/d", names, n -> new byte[0]);
        for (int seed = 0; seed < 5; seed++) {
            Collections.shuffle(names, new Random(seed));
            assertEquals(first, Discovery.discover("/d", names, n -> new byte[0]));
        }
    }

    @Test
    void discover_manifest_isTheOnlySource() {
        byte[] csv = ("recording,signal_file,annotation_file\n"
                + "night-b,psg/b.bdf,scoring/b.tsv\n"
                + "night-a,psg/a.edf,scoring/a.xml\n"
                + "\"night, c\",psg/c.edf,\n"
                + "night-d,psg/d.h5,\n"
                + "night-e,psg/e.edf,scoring/e-hyp.edf\n").getBytes(StandardCharsets.UTF_8);
        List<String> names = List.of("recordings.csv", "psg/a.edf", "psg/b.bdf", "psg/c.edf", "psg/d.h5", "psg/e.edf",
                "scoring/a.xml", "scoring/b.tsv", "scoring/e-hyp.edf", "SC4001E0-PSG.edf", "SC4001EC-Hypnogram.edf");
        Discovery.Result d = Discovery.discover("/d", names, n -> {
            assertEquals("recordings.csv", n);
            return csv;
        });
        assertEquals(List.of(
                r("night-a", "psg/a.edf", Layout.MANIFEST, Annotations.NSRR_XML, "scoring/a.xml"),
                r("night-b", "psg/b.bdf", Layout.MANIFEST, Annotations.BIDS_EVENTS, "scoring/b.tsv"),
                r("night, c", "psg/c.edf", Layout.MANIFEST, Annotations.EMBEDDED, null),
                r("night-d", "psg/d.h5", Layout.MANIFEST, Annotations.HDF5, null),
                r("night-e", "psg/e.edf", Layout.MANIFEST, Annotations.EDF_PLUS, "scoring/e-hyp.edf")), d.recordings());
    }

    @Test
    void discover_badManifests_failNamingTheLine() {
        Map<String, String> cases = Map.of(
                "recording,signal,annotation\n",
                "/d/recordings.csv line 1: header: recording,signal,annotation (expected: recording,signal_file,annotation_file)",
                "recording,signal_file,annotation_file\nn1,psg/missing.edf,\n",
                "/d/recordings.csv line 2: signal_file: 'psg/missing.edf': no such file in the dataset",
                "recording,signal_file,annotation_file\nn1,../a.edf,\n",
                "/d/recordings.csv line 2: signal_file: '../a.edf' (expected: a path relative to the dataset, with forward "
                        + "slashes, inside it)",
                "recording,signal_file,annotation_file\nn1,a.edf,a.txt\n",
                "/d/recordings.csv line 2: annotation_file: 'a.txt' (expected: .edf/.bdf EDF+ annotations, .xml NSRR XML or .tsv "
                        + "BIDS events, or empty)",
                "recording,signal_file,annotation_file\nn1,a.edf,\nn1,b.edf,\n",
                "/d/recordings.csv line 3: recording: 'n1' repeated (expected: each recording once)",
                "recording,signal_file,annotation_file\nn1,a.txt,\n",
                "/d/recordings.csv line 2: signal_file: 'a.txt' (expected: a .edf, .bdf, .h5 or .hdf5 file)",
                "recording,signal_file,annotation_file\n\n",
                "/d/recordings.csv: no rows (expected: one row per recording after the header)",
                "recording,signal_file,annotation_file\nn1,a.edf\n",
                "/d/recordings.csv line 2: columns: 2 (expected: 3: recording,signal_file,annotation_file)");
        List<String> names = List.of("recordings.csv", "a.edf", "b.edf", "a.txt");
        cases.forEach((csv, message) -> {
            DatasetException e = assertThrows(DatasetException.class,
                    () -> Discovery.discover("/d", names, n -> csv.getBytes(StandardCharsets.UTF_8)));
            assertEquals(message, e.getMessage());
        });
    }

    @Test
    void listLocal_sortedRelativeForwardSlashes_noHidden() throws Exception {
        Files.createDirectories(tmp.resolve("b/.git"));
        Files.createDirectories(tmp.resolve("a/c"));
        for (String f : List.of("b/x.edf", "b/.git/config", "a/c/y.xml", "a/z.tsv", ".hidden", "top.h5")) {
            Files.writeString(tmp.resolve(f), "x");
        }
        assertEquals(List.of("a/c/y.xml", "a/z.tsv", "b/x.edf", "top.h5"), Discovery.listLocal(tmp));
        assertTrue(assertThrows(DatasetException.class, () -> Discovery.listLocal(tmp.resolve("none"))).getMessage()
                .contains("cannot be resolved (expected: an existing directory)"));
    }
}
