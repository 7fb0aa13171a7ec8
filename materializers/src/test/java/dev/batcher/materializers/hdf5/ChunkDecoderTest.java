package dev.batcher.materializers.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.TestPython;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.exceptions.HdfFilterException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chunks whose shuffle is left to the window copy, on files h5py writes in every byte order and
 * filter combination the deferred plan takes (shuffle with gzip, Fletcher-32 or both, int16 and
 * float32, little- and big-endian), against jhdf's own full decode: the same values, window by window.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChunkDecoderTest {
    private static final String[] DTYPES = {"<i2", ">i2", "<f4", ">f4"};
    private static final String[] FILTERS = {"shuffle_gzip", "shuffle_gzip_fletcher32", "shuffle", "shuffle_fletcher32",
        "gzip"};

    @TempDir
    static Path dir;

    @BeforeAll
    static void write() throws Exception {
        String python = TestPython.find("h5py, numpy", "install them (apt-get install python3-numpy python3-h5py) or run "
                + "the build from the root, whose python-env step installs them, or set BATCHER_PYTHON");
        String script = String.join("\n",
                "import sys, h5py, numpy as np",
                "rng = np.random.default_rng(5)",
                "base = rng.integers(-3000, 3000, size=(5, 9000))",
                "for dtype in " + pyList(DTYPES) + ":",
                "    for filters in " + pyList(FILTERS) + ":",
                "        kw = {'chunks': (2, 1300), 'shuffle': 'shuffle' in filters, 'fletcher32': 'fletcher32' in filters}",
                "        if 'gzip' in filters: kw.update(compression='gzip', compression_opts=4)",
                "        data = (base * 0.37).astype(dtype) if 'f' in dtype else base.astype(dtype)",
                "        name = dtype.replace('<', 'le').replace('>', 'be') + '_' + filters + '.h5'",
                "        with h5py.File(sys.argv[1] + '/' + name, 'w') as f:",
                "            d = f.create_dataset('signals/eeg', data=data, **kw)",
                "            d.attrs['channels'] = ['A', 'B', 'C', 'D', 'E']",
                "            d.attrs['sample_rate'] = 100.0",
                "            d.attrs['resolution'] = 1.0",
                "            d.attrs['offset'] = 0.0",
                "            d.attrs['unit'] = 'uV'",
                "            d.attrs['start_ns'] = 0",
                "");
        Process p = new ProcessBuilder(python, "-c", script, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "h5py did not finish");
        assertEquals(0, p.exitValue(), out);
    }

    private static String pyList(String[] values) {
        return "['" + String.join("', '", values) + "']";
    }

    private static String file(String dtype, String filters) {
        return dtype.replace("<", "le").replace(">", "be") + "_" + filters + ".h5";
    }

    @ParameterizedTest
    @ValueSource(strings = {"<i2", ">i2", "<f4", ">f4"})
    void readSignal_shuffleLeftToTheCopy_sameValuesAsJhdf(String dtype) {
        Random random = new Random(3);
        try (RecordingFiles ours = Hdf5Hooks.files(List.of(dir), 8, true);
             RecordingFiles jhdf = Hdf5Hooks.files(List.of(dir), 8, false)) {
            for (String filters : FILTERS) {
                String file = file(dtype, filters);
                for (int i = 0; i < 60; i++) {
                    int rows = 1 + random.nextInt(5);
                    int first = random.nextInt(5 - rows + 1);
                    int count = 1 + random.nextInt(4000);
                    long start = random.nextInt(9000 - count + 1);
                    RawWindow want = jhdf.readSignal(file, "signals/eeg", first, rows, start, count);
                    RawWindow got = ours.readSignal(file, "signals/eeg", first, rows, start, count);
                    for (int r = 0; r < rows; r++) {
                        String where = file + " rows " + first + "+" + rows + " samples " + start + "+" + count + " row " + r;
                        if (dtype.contains("i")) {
                            assertArrayEquals(want.shorts()[r], got.shorts()[r], where);
                        } else {
                            assertArrayEquals(want.floats()[r], got.floats()[r], where);
                        }
                    }
                }
            }
            assertEquals(FILTERS.length * 60, Hdf5Hooks.chunkedReads(ours), "every window read chunk by chunk");
            assertEquals(0, Hdf5Hooks.chunkedReads(jhdf));
        }
    }

    @Test
    void plan_shuffleFirstWithGzipAndFletcher_defersTheShuffle() throws Exception {
        for (String dtype : DTYPES) {
            int size = dtype.contains("2") ? 2 : 4;
            for (String filters : FILTERS) {
                try (HdfFile f = new HdfFile(dir.resolve(file(dtype, filters)))) {
                    Dataset ds = f.getDatasetByPath("signals/eeg");
                    ChunkDecoder.Plan plan = ChunkDecoder.plan(ds, size);
                    assertEquals(filters.startsWith("shuffle") ? size : 0, plan.shuffled(), dtype + " " + filters);
                    assertEquals(0, ChunkDecoder.plan(ds, 8).shuffled(), "another element size than the samples'");
                }
            }
        }
    }

    @Test
    void inflate_streamOfAnotherSize_failsNamingBothSizes() {
        byte[] data = new byte[1000];
        new Random(1).nextBytes(data);
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        byte[] buf = new byte[2000];
        int n = deflater.deflate(buf);
        deflater.end();
        ByteBuffer stream = ByteBuffer.wrap(buf, 0, n);
        assertArrayEquals(data, InflateFilter.inflate(stream, 1000));
        assertArrayEquals(data, InflateFilter.inflate(stream, -1));
        HdfFilterException more = assertThrows(HdfFilterException.class, () -> InflateFilter.inflate(stream, 999));
        assertTrue(more.getMessage().contains("inflates to more than 999 bytes"), more.getMessage());
        HdfFilterException fewer = assertThrows(HdfFilterException.class, () -> InflateFilter.inflate(stream, 1001));
        assertTrue(fewer.getMessage().contains("inflates to 1000 bytes (expected: 1001"), fewer.getMessage());
        HdfFilterException cut = assertThrows(HdfFilterException.class,
                () -> InflateFilter.inflate(ByteBuffer.wrap(buf, 0, n / 2), 1000));
        assertTrue(cut.getMessage().contains("ends before its compressed stream does"), cut.getMessage());
    }

    @Test
    void unshuffleShorts_bothByteOrders_assemblesEachElement() {
        // Elements 0x0102, 0x0304, 0x0506 shuffled: the first bytes of all, then the second bytes.
        byte[] chunk = {1, 3, 5, 2, 4, 6};
        short[] out = new short[4];
        ChunkDecoder.unshuffleShorts(chunk, 3, 1, false, out, 1, 2);
        assertArrayEquals(new short[] {0, 0x0304, 0x0506, 0}, out);
        ChunkDecoder.unshuffleShorts(chunk, 3, 0, true, out, 0, 3);
        assertArrayEquals(new short[] {0x0201, 0x0403, 0x0605, 0}, out);
    }
}
