package dev.batcher.materializers.edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3ProxyServer;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * EDF/BDF read in place, checked against MNE-Python (the reference reader) on files from our test
 * writer and from biosig's {@code save2gdf}; S3 reads against local ones; every bad header.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EdfReaderTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Three 100 Hz channels with different scalings (negative offsets, odd ranges) and a 1 Hz one. */
    private static EdfWriter multiRate() {
        int records = 30;
        return new EdfWriter()
                .signal("EEG Fpz-Cz", "uV", -200, 200, -2048, 2047, 100, EdfWriter.samples(100 * records, -2048, 2047, 1))
                .signal("EOG horizontal", "uV", -500, 100, -32768, 32767, 100, EdfWriter.samples(100 * records, -32768, 32767, 2))
                .signal("EMG submental", "uV", -5, 5, -100, 300, 100, EdfWriter.samples(100 * records, -100, 300, 3))
                .signal("Resp oro-nasal", "uV", -2000, 2000, -4096, 4095, 1, EdfWriter.samples(records, -4096, 4095, 4));
    }

    private static RecordingFiles open(Path dir) {
        return new RecordingFiles(List.of(dir), 4);
    }

    /** Decodes a whole group with the documented float32 rule. */
    private static float[][] physical(RecordingFiles files, String file, String group) {
        SignalInfo info = files.signalInfo(file, group);
        RawWindow w = files.readSignal(file, group, 0, info.channels().size(), 0, (int) info.samples());
        float res = (float) info.resolution();
        float off = (float) info.offset();
        float[][] out = new float[w.channels()][w.samples()];
        for (int c = 0; c < w.channels(); c++) {
            for (int i = 0; i < w.samples(); i++) {
                float raw = w.type() == SampleType.INT16 ? w.shorts()[c][i] : w.floats()[c][i];
                float scaled = raw * res;
                out[c][i] = scaled + off;
            }
        }
        return out;
    }

    @Test
    void signalDatasets_multiRateEdf_oneGroupPerRateAnnotationsLeftOut() throws IOException {
        multiRate().write(dir.resolve("night.edf"));
        try (RecordingFiles files = open(dir)) {
            assertEquals(List.of("/100Hz", "/1Hz"), List.copyOf(files.signalDatasets("night.edf").keySet()));
            SignalInfo eeg = files.signalInfo("night.edf", "/100Hz");
            assertEquals(List.of("EEG Fpz-Cz", "EOG horizontal", "EMG submental"), eeg.channels());
            assertEquals(100.0, eeg.sampleRate());
            assertEquals(3000, eeg.samples());
            assertEquals(SampleType.FLOAT32, eeg.type(), "channels scaled differently are decoded by the reader");
            SignalInfo resp = files.signalInfo("night.edf", "1Hz");
            assertEquals(List.of("Resp oro-nasal"), resp.channels());
            assertEquals(SampleType.INT16, resp.type());
            assertEquals(4000.0 / 8191.0, resp.resolution(), 1e-15);
            assertEquals("night", files.recording("night.edf"));
            assertEquals("edf", files.format("night.edf").name());
        }
    }

    @Test
    void readSignal_multiRateEdf_equalsMne() throws IOException {
        Path edf = multiRate().write(dir.resolve("night.edf"));
        try (RecordingFiles files = open(dir)) {
            assertMatchesMne(edf, physical(files, "night.edf", "/100Hz"),
                    files.signalInfo("night.edf", "/100Hz").channels(), false);
        }
    }

    @Test
    void readSignal_bdf24BitExtremes_equalsMne() throws IOException {
        EdfWriter w = new EdfWriter();
        w.bdf = true;
        w.signal("EEG C3", "uV", -262144, 262143, -8388608, 8388607, 256, EdfWriter.samples(256 * 10, -8388608, 8388607, 5))
                .signal("EEG C4", "uV", -262144, 262143, -8388608, 8388607, 256, EdfWriter.samples(256 * 10, -8388608, 8388607, 6));
        Path bdf = w.write(dir.resolve("night.bdf"));
        try (RecordingFiles files = open(dir)) {
            SignalInfo info = files.signalInfo("night.bdf", "/256Hz");
            assertEquals(SampleType.FLOAT32, info.type(), "24-bit samples as float32, exact");
            RawWindow raw = files.readSignal("night.bdf", "/256Hz", 0, 2, 0, 2560);
            assertEquals(-8388608f, raw.floats()[0][0]);
            assertEquals(8388607f, raw.floats()[0][2559]);
            assertMatchesMne(bdf, physical(files, "night.bdf", "/256Hz"), info.channels(), true);
        }
    }

    @Test
    void readSignal_filesConvertedBySave2gdf_equalMne() throws Exception {
        EdfWriter w = new EdfWriter();
        w.annotations = false;
        w.reserved = "";
        w.signal("EEG Fpz-Cz", "uV", -200, 200, -2048, 2047, 100, EdfWriter.samples(3000, -2048, 2047, 7))
                .signal("EEG Pz-Oz", "uV", -200, 200, -2048, 2047, 100, EdfWriter.samples(3000, -2048, 2047, 8));
        Path edf = w.write(dir.resolve("src.edf"));
        Path bdf = dir.resolve("conv.bdf");
        Path back = dir.resolve("back.edf");
        save2gdf("-f=BDF", edf, bdf);
        save2gdf("-f=EDF", bdf, back);
        try (RecordingFiles files = open(dir)) {
            for (String f : List.of("conv.bdf", "back.edf")) {
                String group = files.signalDatasets(f).keySet().iterator().next();
                SignalInfo info = files.signalInfo(f, group);
                assertEquals(2, info.channels().size(), f + " " + info);
                assertEquals(3000, info.samples(), f);
                assertMatchesMne(dir.resolve(f), physical(files, f, group), info.channels(), f.endsWith(".bdf"));
            }
        }
    }

    private static void save2gdf(String format, Path in, Path out) throws Exception {
        Process p = new ProcessBuilder("save2gdf", format, in.toString(), out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isRegularFile(out)) {
            fail("save2gdf " + format + " " + in + " " + out + " (from Debian's biosig-tools) failed: " + text);
        }
    }

    @Test
    void readSignal_windowsAcrossRecords_equalSlicesOfTheWhole() throws IOException {
        multiRate().write(dir.resolve("night.edf"));
        try (RecordingFiles files = open(dir)) {
            RawWindow whole = files.readSignal("night.edf", "/100Hz", 0, 3, 0, 3000);
            RawWindow slow = files.readSignal("night.edf", "/1Hz", 0, 1, 0, 30);
            SplittableRandom random = new SplittableRandom(9);
            for (int k = 0; k < 200; k++) {
                int first = random.nextInt(3);
                int rows = 1 + random.nextInt(3 - first);
                int count = 1 + random.nextInt(700);
                int start = random.nextInt(3000 - count + 1);
                RawWindow w = files.readSignal("night.edf", "/100Hz", first, rows, start, count);
                for (int c = 0; c < rows; c++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(whole.floats()[first + c], start, start + count),
                            w.floats()[c], "window " + first + "+" + rows + " " + start + "+" + count);
                }
                int s = random.nextInt(30);
                assertArrayEquals(java.util.Arrays.copyOfRange(slow.shorts()[0], s, 30),
                        files.readSignal("night.edf", "/1Hz", 0, 1, s, 30 - s).shorts()[0]);
            }
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("night.edf", "/100Hz", 0, 3, 2990, 11));
            assertEquals(RecordingReadException.Reason.OUT_OF_RANGE, e.getReason());
        }
    }

    @Test
    void readSignal_s3_byteIdenticalToLocal() throws Exception {
        Path local = Files.createDirectories(dir.resolve("local"));
        multiRate().write(local.resolve("night.edf"));
        EdfWriter b = new EdfWriter();
        b.bdf = true;
        b.signal("EEG C3", "uV", -300, 300, -8388608, 8388607, 128, EdfWriter.samples(1280, -8388608, 8388607, 11));
        b.write(local.resolve("night2.bdf"));
        try (S3ProxyServer s3 = new S3ProxyServer(dir.resolve("backend"));
             Storage storage = new Storage(new S3Store(s3.options()), dir.resolve("cache"), 16L << 20)) {
            s3.createBucket("psg");
            for (String f : List.of("night.edf", "night2.bdf")) {
                storage.store().write("psg", "sleep/" + f, Files.readAllBytes(local.resolve(f)));
            }
            try (RecordingFiles remote = RecordingFiles.open(DatasetLocation.parse("s3://psg/sleep"), storage, 4);
                 RecordingFiles files = open(local)) {
                for (String f : List.of("night.edf", "night2.bdf")) {
                    for (String g : files.signalDatasets(f).keySet()) {
                        SignalInfo info = files.signalInfo(f, g);
                        assertEquals(info, remote.signalInfo(f, g));
                        int n = info.channels().size();
                        int len = (int) info.samples();
                        for (int[] w : new int[][] {{0, len}, {7, Math.min(93, len - 7)}, {len - 5, 5}}) {
                            assertEquals(String.valueOf(windowText(files.readSignal(f, g, 0, n, w[0], w[1]))),
                                    String.valueOf(windowText(remote.readSignal(f, g, 0, n, w[0], w[1]))), f + g);
                        }
                    }
                }
                Path cache = dir.resolve("cache");
                try (var walk = Files.exists(cache) ? Files.walk(cache) : java.util.stream.Stream.<Path>empty()) {
                    assertEquals(0, walk.filter(Files::isRegularFile).count(), "no whole-file download for EDF/BDF");
                }
            }
        }
    }

    private static String windowText(RawWindow w) {
        return w.type() == SampleType.INT16 ? java.util.Arrays.deepToString(w.shorts()) : java.util.Arrays.deepToString(w.floats());
    }

    // ---- bad headers ------------------------------------------------------------------------------

    private String failure(EdfWriter w, String name, java.util.function.UnaryOperator<byte[]> edit) throws IOException {
        Path p = w.write(dir.resolve(name));
        if (edit != null) {
            Files.write(p, edit.apply(Files.readAllBytes(p)));
        }
        try (RecordingFiles files = open(dir)) {
            RecordingReadException e = assertThrows(RecordingReadException.class, () -> files.signalDatasets(name));
            assertTrue(e.getMessage().startsWith("file " + name + ": "), e.getMessage());
            return e.getMessage();
        }
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "message: " + message + " (expected to contain: " + part + ")");
        }
    }

    @Test
    void open_recordCountMinusOne_namesTheFieldAndWhy() throws IOException {
        EdfWriter w = multiRate();
        w.records = "-1";
        assertContains(failure(w, "a.edf", null), "header field number of data records: '-1'",
                "expected: an integer >= 1; -1 means the recording was never finished");
    }

    @Test
    void open_badNumber_namesSignalFieldAndValue() throws IOException {
        EdfWriter w = new EdfWriter();
        w.signals.add(new EdfWriter.Sig("EEG C3", "uV", "abc", "200", "-2048", "2047", 10, new int[100]));
        assertContains(failure(w, "b.edf", null), "header field signal 1 (EEG C3) physical minimum: 'abc'",
                "(expected: a number)");
    }

    @Test
    void open_digitalMinNotBelowMax_fails() throws IOException {
        EdfWriter w = new EdfWriter().signal("EEG C3", "uV", -200, 200, 100, 100, 10, new int[100]);
        assertContains(failure(w, "c.edf", null), "header field signal 1 (EEG C3) digital minimum: 100",
                "(expected: < digital maximum 100)");
    }

    @Test
    void open_duplicateLabels_fails() throws IOException {
        EdfWriter w = new EdfWriter().signal("EEG C3", "uV", -200, 200, -2048, 2047, 10, new int[100])
                .signal("EEG C3", "uV", -200, 200, -2048, 2047, 10, new int[100]);
        assertContains(failure(w, "d.edf", null), "header field signal 2 (EEG C3) label: 'EEG C3'",
                "signal 1 has it too");
    }

    @Test
    void open_truncatedFile_failsWithSizes() throws IOException {
        String m = failure(multiRate(), "e.edf", b -> java.util.Arrays.copyOf(b, b.length - 7));
        assertContains(m, "file size: 21389 bytes (expected: 21396, 1536 header bytes + 30 data records of 662 bytes; "
                + "the file is truncated)");
    }

    @Test
    void open_trailingBytes_failsWithSizes() throws IOException {
        String m = failure(multiRate(), "f.edf", b -> java.util.Arrays.copyOf(b, b.length + 2));
        assertContains(m, "file size: ", "the file holds more than its header says");
    }

    @Test
    void open_discontinuousEdfPlus_isRefusedClearly() throws IOException {
        EdfWriter w = multiRate();
        w.reserved = "EDF+D";
        assertContains(failure(w, "g.edf", null), "header field reserved: 'EDF+D'", "discontinuous");
    }

    @Test
    void open_notEdf_namesTheVersionExpected() throws IOException {
        Files.write(dir.resolve("h.edf"), new byte[600]);
        try (RecordingFiles files = open(dir)) {
            RecordingReadException e = assertThrows(RecordingReadException.class, () -> files.signalDatasets("h.edf"));
            assertContains(e.getMessage(), "file h.edf: header field version:", "not an EDF or BDF file");
        }
    }

    @Test
    void open_headerBytesWrong_fails() throws IOException {
        EdfWriter w = multiRate();
        w.headerBytes = "1024";
        assertContains(failure(w, "i.edf", null), "header field number of bytes in header record: '1024'",
                "(expected: 1536, 256 * (1 + 5 signals))");
    }

    @Test
    void readSignal_fileTruncatedAfterOpen_failsUnreadable() throws IOException {
        Path p = multiRate().write(dir.resolve("j.edf"));
        try (RecordingFiles files = open(dir)) {
            files.signalInfo("j.edf", "/100Hz");
            byte[] b = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(b, b.length / 2));
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("j.edf", "/100Hz", 0, 3, 2900, 100));
            assertEquals(RecordingReadException.Reason.UNREADABLE, e.getReason());
            assertContains(e.getMessage(), "file j.edf, dataset /100Hz", "truncated");
        }
    }

    // ---- MNE --------------------------------------------------------------------------------------

    /** Compares decoded values with MNE's {@code get_data()} (volts, for units uV: times 1e6). */
    private static void assertMatchesMne(Path file, float[][] values, List<String> channels, boolean bdf) {
        String script = String.join("\n",
                "import json, sys",
                "try:",
                "    import mne",
                "except ImportError as e:",
                "    sys.exit('mne is missing (install Debian python3-mne): %s' % e)",
                "f = sys.argv[1]",
                "raw = (mne.io.read_raw_bdf if f.endswith('.bdf') else mne.io.read_raw_edf)(f, preload=True, verbose='error')",
                "picks = json.loads(sys.argv[2])",
                "data = raw.get_data(picks=picks) * 1e6",
                "print(json.dumps({'ch_names': [raw.ch_names[raw.ch_names.index(p)] for p in picks], 'data': data.tolist()}))");
        JsonNode result;
        try {
            if (!Files.isExecutable(Path.of(PYTHON))) {
                fail(PYTHON + " is missing (expected: Debian's python3 with python3-mne, the reference EDF reader)");
            }
            Process p = new ProcessBuilder(PYTHON, "-c", script, file.toString(), JSON.writeValueAsString(channels))
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(PYTHON + " with mne failed on " + file + ": " + err);
            }
            result = JSON.readTree(out);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(PYTHON + " with mne could not be run: " + e, e);
        }
        JsonNode data = result.get("data");
        assertEquals(channels.size(), data.size());
        for (int c = 0; c < channels.size(); c++) {
            assertEquals(values[c].length, data.get(c).size(), channels.get(c));
            // The float32 rule rounds raw * res and the offset, whose magnitudes are those of the
            // channel's physical range (the data hits both digital extremes): the error bound scales with it.
            double range = 0;
            for (JsonNode v : data.get(c)) {
                range = Math.max(range, Math.abs(v.asDouble()));
            }
            double tolerance = 8 * Math.ulp((float) range);
            for (int i = 0; i < values[c].length; i++) {
                double mne = data.get(c).get(i).asDouble();
                if (Math.abs(values[c][i] - mne) > tolerance) {
                    fail(file.getFileName() + " channel " + channels.get(c) + " sample " + i + ": Batcher " + values[c][i]
                            + ", MNE " + mne + " (expected: equal within float32 rounding, " + tolerance + ")");
                }
            }
        }
    }
}
