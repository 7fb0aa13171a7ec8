package dev.batcher.materializers.edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.dataset.LabelSource;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.IterationException;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.api.ItemSpec;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3ProxyServer;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An EDF dataset end to end: indexed with a label source (grids into recordings.json), loaded, and
 * materialised with a source that picks one signal group by kind so every item has one shape.
 */
class EdfDatasetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @TempDir
    Path scratch;

    /** Pairs {@code X-PSG.edf} with {@code X-Hypnogram.txt}, a line of comma-separated stage indices. */
    static final class TextHypnograms implements LabelSource {
        @Override
        public Map<String, Pair> pair(Files files) {
            Map<String, Pair> out = new LinkedHashMap<>();
            for (String f : files.names()) {
                if (f.endsWith("-PSG.edf") && files.names().contains(f.replace("-PSG.edf", "-Hypnogram.txt"))) {
                    out.put(f, new Pair(f.replace("-PSG.edf", "-Hypnogram.txt"), null));
                }
            }
            return out;
        }

        @Override
        public Optional<LabelGrid> read(Request request) {
            byte[] content = request.files().read(request.pair().annotationFile());
            String[] parts = new String(content, StandardCharsets.US_ASCII).trim().split(",");
            int[] values = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = Integer.parseInt(parts[i].trim());
            }
            return Optional.of(new LabelGrid(new LabelInfo("/labels/stage", List.of("stage"), 1 / 30.0, 0, values.length,
                    List.of("W", "N1", "N2", "N3", "R")), new int[][] {values}));
        }
    }

    private void night(String stem, long seed) throws IOException {
        int records = 4; // 4 records of 30 s
        new EdfWriter().signal("EEG Fpz-Cz", "uV", -200, 200, -2048, 2047, 3000, EdfWriter.samples(3000 * records, -2048, 2047, seed))
                .signal("EEG Pz-Oz", "uV", -200, 200, -2048, 2047, 3000, EdfWriter.samples(3000 * records, -2048, 2047, seed + 1))
                .signal("EOG horizontal", "uV", -500, 500, -2048, 2047, 3000, EdfWriter.samples(3000 * records, -2048, 2047, seed + 2))
                .signal("Resp oro-nasal", "uV", -1000, 1000, -2048, 2047, 30, EdfWriter.samples(30 * records, -2048, 2047, seed + 3))
                .duration("30")
                .write(dir.resolve(stem + "-PSG.edf"));
        Files.writeString(dir.resolve(stem + "-Hypnogram.txt"), "0,2,3,4\n");
    }

    @Test
    void index_edfWithHypnograms_rowsPerGroupGridsInRecordingsJson() throws IOException {
        night("SC4001E0", 1);
        DatasetIndexer.index(dir, List.of(new TextHypnograms()));
        List<String> table = Files.readAllLines(dir.resolve("labeled_signals.csv"));
        assertEquals(List.of(
                "recording,file,signal,labels,signal_start_ns,signal_stop_ns,label_start_ns,label_stop_ns",
                "SC4001E0-PSG,SC4001E0-PSG.edf,/100Hz,/labels/stage,0,120000000000,0,120000000000",
                "SC4001E0-PSG,SC4001E0-PSG.edf,/1Hz,/labels/stage,0,120000000000,0,120000000000"), table);
        JsonNode file = JSON.readTree(dir.resolve("recordings.json").toFile()).path("files").path("SC4001E0-PSG.edf");
        assertEquals("edf", file.path("format").asText());
        assertEquals("[[0,2,3,4]]", file.path("labels").get(0).path("values").toString());
        assertTrue(file.path("labels").get(0).path("layout").isNull());
        assertEquals(2, Dataset.load(dir).signals().size());
    }

    @Test
    void materialize_edfSourcePickingEegByKind_decodesTheEdfSamplesWithTheirLabels() throws IOException {
        night("SC4001E0", 1);
        night("SC4002E0", 11);
        DatasetIndexer.index(dir, List.of(new TextHypnograms()));
        Dataset dataset = Dataset.load(dir);
        SourceConfig config = JSON.readValue("{\"type\": \"sequential\", \"batchSize\": 3, \"batchSeconds\": 30, "
                + "\"signals\": \"kind:EEG\", \"channels\": \"kind:EEG\"}", SourceConfig.class);
        BatchSource source = BatchSources.build(config, dataset.signals());
        try (RecordingFiles files = dataset.openFiles(4)) {
            Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
            BatchState state = BatchState.initial(42);
            int items = 0;
            for (Step step = source.next(state); step instanceof Step.Next next; step = source.next(next.state())) {
                try (Batch b = m.materialize(next.spec())) {
                    for (int i = 0; i < next.spec().items().size(); i++) {
                        ItemSpec item = next.spec().items().get(i);
                        assertEquals("/100Hz", item.signal());
                        assertArrayEquals(new int[] {next.spec().items().size(), 2, 3000}, b.xShape());
                        // EEG and EOG are scaled differently: the reader decodes each channel (float32 rule).
                        RawWindow raw = files.readSignal(item.file(), "/100Hz", 0, 2, item.sampleStart(), 3000);
                        long seed = item.file().startsWith("SC4001") ? 1 : 11;
                        float res = (float) (400.0 / 4095);
                        float off = (float) (-200 + 2048 * (400.0 / 4095));
                        FloatBuffer x = b.x();
                        for (int c = 0; c < 2; c++) {
                            int[] digital = EdfWriter.samples(3000 * 4, -2048, 2047, seed + c);
                            for (int t = 0; t < 3000; t++) {
                                float scaled = digital[(int) item.sampleStart() + t] * res;
                                assertEquals(scaled + off, raw.floats()[c][t], item + " " + c + " " + t);
                                assertEquals(raw.floats()[c][t], x.get((i * 2 + c) * 3000 + t), item + " " + c + " " + t);
                            }
                        }
                        int epoch = (int) item.labelStart();
                        assertEquals(new int[] {0, 2, 3, 4}[epoch], b.y().get(i));
                        items++;
                    }
                }
            }
            assertEquals(8, items, "2 recordings x 4 epochs of the 100 Hz group, none of the 1 Hz one");
        }
        IterationException e = assertThrows(IterationException.class, () -> BatchSources.build(new SourceConfig.Sequential(3, 30.0,
                null, "kind:ECG"), dataset.signals()));
        assertTrue(e.getMessage().contains("signals: 'kind:ECG' keeps none of the 4 labeled signals"), e.getMessage());
        BatchSources.build(new SourceConfig.Sequential(3, 30.0, null, "name:1Hz"), dataset.signals()); // a name keeps the 1 Hz rows
    }

    @Test
    void index_edfDatasetInS3_loadsFromRecordingsJsonAndReadsWindowsAsLocally() throws Exception {
        night("SC4001E0", 1);
        DatasetIndexer.index(dir, List.of(new TextHypnograms()));
        Dataset local = Dataset.load(dir);
        try (S3ProxyServer s3 = new S3ProxyServer(scratch.resolve("backend"));
             Storage storage = new Storage(new S3Store(s3.options()), scratch.resolve("cache"),
                     16L << 20)) {
            s3.createBucket("psg");
            for (String f : List.of("SC4001E0-PSG.edf", "SC4001E0-Hypnogram.txt")) {
                storage.store().write("psg", "sleep/" + f, Files.readAllBytes(dir.resolve(f)));
            }
            DatasetIndexer.index("s3://psg/sleep", storage, List.of(new TextHypnograms()));
            Dataset remote = Dataset.load(DatasetLocation.parse("s3://psg/sleep"), storage);
            assertEquals(local.signals().size(), remote.signals().size());
            try (RecordingFiles a = local.openFiles(2); RecordingFiles b = remote.openFiles(storage, 2)) {
                for (int k = 0; k < local.signals().size(); k++) {
                    assertEquals(local.signals().get(k).signal(), remote.signals().get(k).signal());
                    String g = local.signals().get(k).signal().dataset();
                    int n = local.signals().get(k).signal().channels().size();
                    long len = local.signals().get(k).signal().samples();
                    RawWindow x = a.readSignal("SC4001E0-PSG.edf", g, 0, n, len / 3, (int) (len / 2));
                    RawWindow y = b.readSignal("SC4001E0-PSG.edf", g, 0, n, len / 3, (int) (len / 2));
                    assertEquals(x.type(), y.type());
                    if (x.type() == dev.batcher.materializers.metadata.SampleType.INT16) {
                        assertArrayEquals(x.shorts(), y.shorts());
                    } else {
                        assertArrayEquals(x.floats(), y.floats());
                    }
                    assertArrayEquals(a.readLabels("SC4001E0-PSG.edf", "/labels/stage", 0, 4),
                            b.readLabels("SC4001E0-PSG.edf", "/labels/stage", 0, 4));
                }
            }
        }
    }
}
