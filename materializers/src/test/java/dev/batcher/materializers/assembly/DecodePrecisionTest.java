package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.TestPython;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/dataset-format.md states the decode precision with a NumPy line; h5py and NumPy run that
 * line on a fixture (resolution 0.1, offset -3.5, int16 over the full range) and the materializer's
 * output must equal it bit for bit, on the vector and the scalar kernels.
 */
@Timeout(120)
class DecodePrecisionTest {
    private static final String FILE = "layouts/contiguous.h5";

    @TempDir
    Path tmp;

    /** The one NumPy line of the doc's "Decode precision" paragraph. */
    private static String documentedLine() throws IOException {
        String doc = Files.readString(Fixtures.root().getParent().getParent().resolve("docs/dataset-format.md"));
        int at = doc.indexOf("**Decode precision.**");
        assertTrue(at >= 0, "docs/dataset-format.md has a **Decode precision.** paragraph");
        int open = doc.indexOf("```python\n", at) + "```python\n".length();
        String line = doc.substring(open, doc.indexOf("\n```", open)).strip();
        assertEquals(1, line.lines().count(), "one line: " + line);
        return line;
    }

    /**
     * The first of $BATCHER_PYTHON, /usr/bin/python3 and python3 that imports h5py and numpy. The
     * build's python-env step (root pom, validate) installs them before any test runs, so none
     * importing them is a failure, not a reason to skip.
     */
    private static String python() throws InterruptedException {
        return TestPython.find("h5py, numpy", "install them (apt-get install python3-numpy python3-h5py) or run the build "
                + "from the root, whose python-env step installs them, or set BATCHER_PYTHON");
    }

    @Test
    void decode_int16Fixture_equalsTheDocumentedNumpyLineBitForBit() throws Exception {
        String line = documentedLine();
        Path script = tmp.resolve("decode.py");
        Path out = tmp.resolve("x.f32");
        Files.writeString(script, String.join("\n",
                "import sys, h5py, numpy as np",
                "with h5py.File(sys.argv[1], 'r') as f:",
                "    ds = f['/signals/eeg']",
                "    raw, res, off = ds[:, :], ds.attrs['resolution'], ds.attrs['offset']",
                line,
                "x.astype('<f4').tofile(sys.argv[2])",
                "every = np.arange(-32768, 32768, dtype=np.int16)",
                "f32 = every.astype(np.float32) * np.float32(res) + np.float32(off)",
                "print((f32 != np.float32(every * res + off)).mean())",
                ""));
        Process p = new ProcessBuilder(python(), script.toString(), Fixtures.path(FILE).toString(), out.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "python finishes");
        String printed = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.exitValue(), printed);
        double differing = Double.parseDouble(printed);
        assertTrue(differing > 0.19 && differing < 0.21,
                "the doc says 20% of int16 values differ from the float64 route: " + differing);

        FloatBuffer expected = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertEquals(4 * 12000, expected.remaining());
        ItemSpec item = new ItemSpec("layout-contiguous", "contiguous.h5", "/signals/eeg", 0, 12000, ChannelSelection.all(),
                "/labels/stage", 0, 120, 0);
        try (RecordingFiles files = new RecordingFiles(List.of(Fixtures.path("layouts")), 2)) {
            for (Kernels kernels : List.of(Kernels.vector(), Kernels.scalar())) {
                try (Batch b = new Materializer(files, MaterializeOptions.defaults(), kernels)
                        .materialize(new BatchSpec(List.of(item)))) {
                    FloatBuffer x = b.x();
                    assertEquals(expected.remaining(), x.remaining());
                    for (int i = 0; i < expected.remaining(); i++) {
                        assertEquals(Float.floatToRawIntBits(expected.get(i)), Float.floatToRawIntBits(x.get(i)),
                                kernels + ": value " + i + ": numpy " + expected.get(i) + ", batcher " + x.get(i));
                    }
                }
            }
        }
    }
}
