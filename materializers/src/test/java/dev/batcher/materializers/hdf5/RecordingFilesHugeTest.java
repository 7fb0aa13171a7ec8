package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.metadata.SignalInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reads windows of an [8, 300,000,000] int16 dataset (2.4e9 elements, more than an int can index) of
 * which only three 5000-sample blocks were written, to show that only the window is read.
 */
class RecordingFilesHugeTest {
    private static RecordingFiles files;
    private static JsonNode huge;
    private static String file;
    private static String dataset;
    private static short[][][] blocks;
    private static long[] offsets;
    private static int block;

    @BeforeAll
    static void open() {
        files = new RecordingFiles(List.of(Fixtures.root()), 2);
        huge = Fixtures.manifest().get("huge");
        file = huge.get("file").asText();
        dataset = huge.get("dataset").asText();
        block = huge.get("block").asInt();
        offsets = new long[huge.get("offsets").size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = huge.get("offsets").get(i).asLong();
        }
        short[][] all = Fixtures.shorts(huge.get("expected").asText(), offsets.length * 8, block);
        blocks = new short[offsets.length][][];
        for (int i = 0; i < offsets.length; i++) {
            blocks[i] = Arrays.copyOfRange(all, i * 8, i * 8 + 8);
        }
    }

    @AfterAll
    static void close() {
        files.close();
    }

    /** The expected value at (row, sample): a written block's value, or the fill value 0. */
    private static short expected(int row, long sample) {
        for (int i = 0; i < offsets.length; i++) {
            if (sample >= offsets[i] && sample < offsets[i] + block) {
                return blocks[i][row][(int) (sample - offsets[i])];
            }
        }
        return 0;
    }

    private static void check(int firstRow, int rows, long start, int count) {
        short[][] data = files.readSignal(file, dataset, firstRow, rows, start, count).shorts();
        for (int r = 0; r < rows; r++) {
            short[] want = new short[count];
            for (int i = 0; i < count; i++) {
                want[i] = expected(firstRow + r, start + i);
            }
            assertArrayEquals(want, data[r], "rows from " + firstRow + ", samples from " + start + ", row " + r);
        }
    }

    @Test
    void signalInfo_hugeSparseDataset_reportsAllSamples() {
        SignalInfo info = files.signalInfo(file, dataset);
        assertEquals(300_000_000L, info.samples());
        assertEquals(8, info.channels().size());
        assertEquals(3_000_000L * 1_000_000_000L, info.span().stopNanos()); // 300e6 samples at 100 Hz
    }

    @Test
    void readSignal_windowsOfWrittenBlocks_matchWhatH5pyWrote() {
        for (long offset : offsets) {
            check(0, 8, offset, block);
            check(3, 2, offset + 1234, 777);
        }
    }

    @Test
    void readSignal_windowsAcrossBlockEdgesAndChunkBoundaries_matchBlocksAndFill() {
        for (long offset : offsets) {
            if (offset >= 100) {
                check(0, 8, offset - 100, 200);
            }
            if (offset + block + 100 <= 300_000_000L) {
                check(0, 8, offset + block - 100, 200);
            }
        }
        long chunkBoundary = (offsets[1] / 65536 + 1) * 65536; // inside the middle block
        check(0, 8, chunkBoundary - 50, 100);
        check(0, 8, 299_999_999L, 1);
        check(7, 1, 300_000_000L - 70_000, 70_000);
    }

    @Test
    void readSignal_unwrittenRegionBeyondIntRange_returnsFillValue() {
        check(0, 8, 150_000_000L, 4096);
        check(0, 8, 2_147_483_647L / 8 + 12345, 100);
    }

    @Test
    void readLabels_endOfLongLabelDataset_matchesFormula() {
        JsonNode labels = huge.get("labels");
        long n = labels.get("shape").get(1).asLong();
        int[][] values = files.readLabels(file, labels.get("dataset").asText(), n - 9000, 9000);
        for (int i = 0; i < 9000; i++) {
            assertEquals((n - 9000 + i) % 5, values[0][i], "label " + (n - 9000 + i));
        }
    }
}
