package dev.batcher.materializers.onda;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.TestPython;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.onda.OndaFixture.Ann;
import dev.batcher.materializers.onda.OndaFixture.Sig;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NumPy reads the sample files independently with the doc's {@code onda_samples} (docs/dataset-format.md,
 * "Onda datasets") and the materializer's output must equal it bit for bit, for every sample type, on
 * the vector and the scalar kernels.
 */
@Timeout(120)
class OndaNumpyTest {
    static final UUID REC = UUID.fromString("0b14d2c6-d8d8-44e4-a824-f5c5d857215b");
    static final int SAMPLES = 60;

    @TempDir
    Path tmp;

    /** The python block of the doc's Onda section that defines onda_samples. */
    static String documentedFunction() throws Exception {
        String doc = Files.readString(Fixtures.root().getParent().getParent().resolve("docs/dataset-format.md"));
        int section = doc.indexOf("## Onda datasets");
        assertTrue(section >= 0, "docs/dataset-format.md has an Onda section");
        int def = doc.indexOf("def onda_samples(", section);
        assertTrue(def >= 0, "the Onda section defines onda_samples");
        int open = doc.lastIndexOf("```python\n", def) + "```python\n".length();
        return doc.substring(open, doc.indexOf("```", def));
    }

    @Test
    void materialize_everySampleType_equalsTheDocumentedNumpyDecode() throws Exception {
        Path root = tmp.resolve("ds");
        List<Sig> sigs = new ArrayList<>();
        long stop = OndaFixture.stopOf(0, SAMPLES, 1.0);
        long seed = 5;
        for (LpcmType type : LpcmType.values()) {
            String file = "samples/" + type.ondaName() + ".lpcm";
            OndaFixture.writeSamples(root, file, OndaFixture.lpcm(type, OndaFixture.rawInts(type, 3, SAMPLES, seed++)));
            sigs.add(new Sig(REC, file, "lpcm", 0, stop, "eeg", type.ondaName(), List.of("a", "b", "c"), "microvolt",
                    0.1, -3.5, type.ondaName(), 1.0));
        }
        OndaFixture.writeSignals(root.resolve("t.onda.signals.arrow"), OndaFixture.signalColumns(sigs), true);
        OndaFixture.writeAnnotations(root.resolve("t.onda.annotations.arrow"), OndaFixture.annotationColumns(List.of(
                new Ann(REC, new UUID(0, 1), 0, 30_000_000_000L, "W"),
                new Ann(REC, new UUID(0, 2), 30_000_000_000L, 60_000_000_000L, "N2"))), true);

        Path script = tmp.resolve("onda.py");
        Path out = tmp.resolve("x.f32");
        StringBuilder calls = new StringBuilder("import sys\nwith open(sys.argv[1], 'wb') as out:\n");
        for (Sig s : sigs) {
            calls.append("    onda_samples(").append(pythonString(root.resolve(s.filePath()).toString())).append(", '")
                    .append(s.sampleType()).append("', 3, 0.1, -3.5).astype('<f4').tofile(out)\n");
        }
        Files.writeString(script, documentedFunction() + "\n" + calls);
        Process p = new ProcessBuilder(TestPython.find("numpy", "install it (apt-get install python3-numpy) or set BATCHER_PYTHON"), script.toString(), out.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "python finishes");
        String printed = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), printed);
        FloatBuffer expected = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertEquals(sigs.size() * 3 * SAMPLES, expected.remaining());

        dev.batcher.materializers.dataset.DatasetIndexer.index(root);
        try (RecordingFiles files = dev.batcher.materializers.dataset.Dataset.load(root).openFiles(4)) {
            for (Kernels kernels : List.of(Kernels.vector(), Kernels.scalar())) {
                for (int i = 0; i < sigs.size(); i++) {
                    Sig s = sigs.get(i);
                    ItemSpec item = new ItemSpec(REC.toString(), s.filePath(), "/" + s.sensorLabel(), 0, SAMPLES,
                            ChannelSelection.all(), "/labels/stage", 0, 2, 0);
                    try (Batch b = new Materializer(files, MaterializeOptions.defaults(), kernels)
                            .materialize(new BatchSpec(List.of(item)))) {
                        FloatBuffer x = b.x();
                        assertEquals(3 * SAMPLES, x.remaining());
                        for (int k = 0; k < 3 * SAMPLES; k++) {
                            float numpy = expected.get(i * 3 * SAMPLES + k);
                            assertEquals(Float.floatToRawIntBits(numpy), Float.floatToRawIntBits(x.get(k)), kernels + " "
                                    + s.sampleType() + " value " + k + ": numpy " + numpy + ", batcher " + x.get(k));
                        }
                        assertEquals(0, b.y().get(0), "the first epoch is W");
                    }
                }
            }
        }
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
