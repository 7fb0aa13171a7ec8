package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RawBuffers;
import dev.batcher.materializers.format.RawWindow;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads back every layout fixture (contiguous, chunked, gzip, shuffle+gzip, lzf, fletcher32,
 * big-endian, the libver=latest chunk indexes, float32) and compares every sample of many windows with
 * what h5py wrote.
 */
class RecordingFilesLayoutTest {
    private static RecordingFiles files;

    @BeforeAll
    static void open() {
        files = new RecordingFiles(List.of(Fixtures.root()), 4);
    }

    @AfterAll
    static void close() {
        files.close();
    }

    static Stream<Arguments> layouts() {
        return Fixtures.layouts().map(n -> Arguments.of(n.get("file").asText(), n));
    }

    /** A window: rows [firstRow, firstRow + rows), samples [start, start + count). */
    record Win(int firstRow, int rows, long start, int count) {
    }

    /**
     * The windows to check in a {@code rows x cols} dataset with the given chunk shape (null if
     * contiguous): whole, first and last samples, each row alone, every chunk boundary in both
     * dimensions, a tail, and random windows.
     */
    static List<Win> windows(int rows, int cols, JsonNode chunks, long seed) {
        List<Win> w = new ArrayList<>();
        w.add(new Win(0, rows, 0, cols));
        w.add(new Win(0, rows, 0, 1));
        w.add(new Win(0, rows, cols - 1, 1));
        w.add(new Win(rows - 1, 1, cols - 1, 1));
        w.add(new Win(0, rows, cols - Math.min(cols, 777), Math.min(cols, 777)));
        for (int r = 0; r < rows; r++) {
            w.add(new Win(r, 1, 0, cols));
        }
        if (chunks != null && !chunks.isNull()) {
            int chunkRows = chunks.get(0).asInt();
            int chunkCols = chunks.get(1).asInt();
            for (int b = chunkCols; b < cols; b += chunkCols) {
                int start = Math.max(0, b - 5);
                w.add(new Win(0, rows, start, Math.min(10, cols - start)));
                w.add(new Win(0, rows, b - 1, 1));
                w.add(new Win(0, rows, b, Math.min(chunkCols, cols - b)));
            }
            for (int rb = chunkRows; rb < rows; rb += chunkRows) {
                w.add(new Win(rb - 1, 2, 0, cols));
                w.add(new Win(rb, rows - rb, Math.max(0, chunkCols - 3), Math.min(6, cols)));
            }
        }
        Random random = new Random(seed);
        for (int i = 0; i < 150; i++) {
            int firstRow = random.nextInt(rows);
            int rowCount = 1 + random.nextInt(rows - firstRow);
            int start = random.nextInt(cols);
            int count = 1 + random.nextInt(Math.min(cols - start, 3000));
            w.add(new Win(firstRow, rowCount, start, count));
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void signalInfo_everyLayout_matchesTheAttributesH5pyWrote(String file, JsonNode entry) {
        JsonNode s = entry.get("signal");
        SignalInfo expected = new SignalInfo(s.get("dataset").asText(), SampleType.valueOf(s.get("type").asText()),
                Fixtures.strings(s.get("channels")), s.get("sample_rate").asDouble(), s.get("resolution").asDouble(),
                s.get("offset").asDouble(), s.get("unit").asText(), s.get("start_ns").asLong(),
                s.get("shape").get(1).asLong());
        assertEquals(expected, files.signalInfo(file, s.get("dataset").asText()));

        JsonNode l = entry.get("labels");
        LabelInfo expectedLabels = new LabelInfo(l.get("dataset").asText(), Fixtures.strings(l.get("channels")),
                l.get("sample_rate").asDouble(), l.get("start_ns").asLong(), l.get("shape").get(1).asLong(),
                Fixtures.strings(l.get("encoding")));
        assertEquals(expectedLabels, files.labelInfo(file, l.get("dataset").asText()));

        assertEquals(entry.get("recording").asText(), files.recording(file));
        assertEquals(Map.of(s.get("dataset").asText(), l.get("dataset").asText()), files.signalDatasets(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readSignal_everyLayoutManyWindows_matchesEverySampleH5pyWrote(String file, JsonNode entry) {
        JsonNode s = entry.get("signal");
        String dataset = s.get("dataset").asText();
        int rows = s.get("shape").get(0).asInt();
        int cols = s.get("shape").get(1).asInt();
        boolean int16 = s.get("type").asText().equals("INT16");
        short[][] expectedShorts = int16 ? Fixtures.shorts(s.get("expected").asText(), rows, cols) : null;
        float[][] expectedFloats = int16 ? null : Fixtures.floats(s.get("expected").asText(), rows, cols);
        List<Win> windows = windows(rows, cols, s.get("chunks"), file.hashCode());
        // Read fresh, and into one thread's buffers that each read overwrites: a window of the shape before
        // reuses the arrays, and every value must still be this window's.
        RawBuffers buffers = new RawBuffers();
        List<Win> twice = new java.util.ArrayList<>();
        for (Win w : windows) {
            twice.add(w);
            twice.add(w);
        }
        int k = 0;
        for (Win w : twice) {
            RawWindow raw = k++ % 2 == 0 ? files.readSignal(file, dataset, w.firstRow(), w.rows(), w.start(), w.count())
                    : files.readSignal(file, dataset, w.firstRow(), w.rows(), w.start(), w.count(), buffers);
            assertEquals(w.rows(), raw.channels(), () -> file + " " + w);
            assertEquals(w.count(), raw.samples(), () -> file + " " + w);
            for (int r = 0; r < w.rows(); r++) {
                int row = w.firstRow() + r;
                int from = (int) w.start();
                if (int16) {
                    assertEquals(SampleType.INT16, raw.type());
                    short[] expected = java.util.Arrays.copyOfRange(expectedShorts[row], from, from + w.count());
                    assertArrayEquals(expected, raw.shorts()[r], file + " " + w + " row " + row);
                } else {
                    assertEquals(SampleType.FLOAT32, raw.type());
                    float[] expected = java.util.Arrays.copyOfRange(expectedFloats[row], from, from + w.count());
                    assertArrayEquals(bits(expected), bits(raw.floats()[r]), file + " " + w + " row " + row);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void readLabels_everyLayoutManyWindows_matchesEveryValueH5pyWrote(String file, JsonNode entry) {
        JsonNode l = entry.get("labels");
        String dataset = l.get("dataset").asText();
        int rows = l.get("shape").get(0).asInt();
        int cols = l.get("shape").get(1).asInt();
        int[][] expected = Fixtures.ints(l.get("expected").asText(), rows, cols);
        for (Win w : windows(rows, cols, l.get("chunks"), ~file.hashCode())) {
            int[][] labels = files.readLabels(file, dataset, w.start(), w.count());
            assertEquals(rows, labels.length, () -> file + " " + w);
            for (int r = 0; r < rows; r++) {
                int from = (int) w.start();
                assertArrayEquals(java.util.Arrays.copyOfRange(expected[r], from, from + w.count()), labels[r],
                        file + " " + w + " row " + r);
            }
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToIntBits(values[i]);
        }
        return bits;
    }
}
