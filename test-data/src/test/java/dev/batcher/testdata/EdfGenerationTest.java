package dev.batcher.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.metadata.SignalInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code generate --format edf|bdf}: the Sleep-EDF layout, indexed with no flags (the default label
 * sources pair the hypnograms), its samples and stages checked against MNE-Python.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EdfGenerationTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private GenerationReport generate(FileFormat format) {
        return SyntheticDataset.generate(dir, GeneratorOptions.builder().seed(3).recordings(3).hours(0.1, 0.2)
                .sampleRate(100).format(format).threads(2).build());
    }

    @Test
    void generate_edf_sleepEdfPairsIndexedAndEqualToMne() throws Exception {
        checkAgainstMne(generate(FileFormat.EDF), "SC4001E0-PSG.edf");
    }

    @Test
    void generate_bdf_sleepEdfPairsIndexedAndEqualToMne() throws Exception {
        checkAgainstMne(generate(FileFormat.BDF), "SC4001E0-PSG.bdf");
    }

    private void checkAgainstMne(GenerationReport report, String psg) throws Exception {
        assertEquals(3, report.recordings().size());
        assertTrue(Files.isRegularFile(dir.resolve("SC4002EC-Hypnogram.edf")));
        DatasetIndexer.index(dir);
        Dataset dataset = Dataset.load(dir);
        List<LabeledSignal> eeg = dataset.signals().stream().filter(s -> !s.signal().dataset().equals("/1Hz")).toList();
        assertEquals(3, eeg.size(), dataset.signals().toString());
        assertEquals(6, dataset.signals().size(), "an EEG group and a 1 Hz group per recording");
        LabeledSignal first = eeg.stream().filter(s -> s.file().equals(psg)).findFirst().orElseThrow();
        assertEquals("/100Hz", first.signal().dataset());
        try (RecordingFiles files = dataset.openFiles(2)) {
            SignalInfo info = first.signal();
            int n = info.channels().size();
            int count = (int) Math.min(info.samples(), 6000);
            RawWindow raw = files.readSignal(psg, "/100Hz", 0, n, 0, count);
            int epochs = (int) first.labelEpochs();
            int[][] labels = files.readLabels(psg, first.labels().dataset(), first.labelSampleAt(first.labelSpan().startNanos()), epochs);
            JsonNode mne = mne(dir.resolve(psg), info.channels(), count);
            float res = (float) info.resolution();
            float off = (float) info.offset();
            for (int c = 0; c < n; c++) {
                double range = 0;
                for (JsonNode v : mne.get("data").get(c)) {
                    range = Math.max(range, Math.abs(v.asDouble()));
                }
                double tolerance = 8 * Math.ulp((float) Math.max(range, Math.abs(off) + 32768 * Math.abs(res)));
                for (int i = 0; i < count; i++) {
                    float x = raw.type() == dev.batcher.materializers.metadata.SampleType.INT16 ? raw.shorts()[c][i] : raw.floats()[c][i];
                    float scaled = x * res;
                    float value = scaled + off;
                    double expected = mne.get("data").get(c).get(i).asDouble();
                    if (Math.abs(value - expected) > tolerance) {
                        fail(psg + " " + info.channels().get(c) + " sample " + i + ": Batcher " + value + ", MNE " + expected);
                    }
                }
            }
            // The stages MNE reads from the hypnogram, epoch by epoch, against the label grid.
            JsonNode stages = mne.get("stages");
            long labelStart = first.labelSpan().startNanos() / 1_000_000_000L;
            String[] names = {"Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 3", "Sleep stage R"};
            for (int e = 0; e < epochs; e++) {
                long t = labelStart + 30L * e;
                String text = null;
                for (JsonNode a : stages) {
                    if (a.get(0).asDouble() <= t && t < a.get(0).asDouble() + a.get(1).asDouble()) {
                        text = a.get(2).asText();
                    }
                }
                assertEquals(text, names[labels[0][e]], "epoch " + e);
            }
        }
    }

    private JsonNode mne(Path psg, List<String> channels, int count) throws IOException, InterruptedException {
        Path hypnogram = psg.resolveSibling(psg.getFileName().toString().substring(0, 6) + "EC-Hypnogram.edf");
        String script = String.join("\n",
                "import json, sys",
                "try:",
                "    import mne",
                "except ImportError as e:",
                "    sys.exit('mne is missing (install Debian python3-mne): %s' % e)",
                "f, picks, n, hyp = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]",
                "raw = (mne.io.read_raw_bdf if f.endswith('.bdf') else mne.io.read_raw_edf)(f, preload=False, verbose='error')",
                "data = raw.get_data(picks=picks, start=0, stop=n) * 1e6",
                "ann = mne.read_annotations(hyp)",
                "print(json.dumps({'data': data.tolist(), 'stages': [[a['onset'], a['duration'], a['description']] for a in ann]}))");
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing (expected: Debian's python3 with python3-mne, the reference EDF reader)");
        }
        Process p = new ProcessBuilder(PYTHON, "-c", script, psg.toString(), JSON.writeValueAsString(channels),
                String.valueOf(count), hypnogram.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(PYTHON + " with mne failed on " + psg + ": " + err);
        }
        return JSON.readTree(out);
    }
}
