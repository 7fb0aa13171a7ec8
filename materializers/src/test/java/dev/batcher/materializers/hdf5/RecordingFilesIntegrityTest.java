package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ChunkedDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data that fails an integrity check is an error naming the file, the dataset and the chunk, never
 * values read back silently or a complaint about an unsupported filter. The damaged copies are made
 * here from committed h5py fixtures, by flipping 64 bytes inside one chunk; h5py 3.7 fails on the
 * same copies ("data error detected by Fletcher32 checksum", "inflate() failed").
 */
class RecordingFilesIntegrityTest {
    private static final String EEG = "/signals/eeg";
    private static final String STAGE = "/labels/stage";

    /** Copies a fixture to {@code dir/name} and flips 64 bytes, 100 bytes into the chunk at {@code offset}. */
    private static void copyWithFlippedChunk(String fixture, String dataset, int[] offset, Path target)
            throws IOException {
        byte[] raw;
        try (HdfFile f = new HdfFile(Fixtures.path(fixture))) {
            ByteBuffer chunk = ((ChunkedDataset) f.getDatasetByPath(dataset)).getRawChunkBuffer(offset);
            raw = new byte[chunk.remaining()];
            chunk.get(raw);
        }
        byte[] file = Files.readAllBytes(Fixtures.path(fixture));
        int at = indexOf(file, raw);
        assertTrue(at > 0, "chunk " + Arrays.toString(offset) + " of " + fixture + " not found in the file");
        assertEquals(-1, indexOf(Arrays.copyOfRange(file, at + 1, file.length), raw), "chunk bytes not unique");
        int from = at + Math.min(100, raw.length - 64 - 4);
        for (int i = from; i < from + 64; i++) {
            file[i] ^= (byte) 0x5a;
        }
        Files.write(target, file);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void assertMessage(RecordingReadException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message: " + e.getMessage() + " (expected to contain: " + fragment + ")");
        }
    }

    private static short[] expectedRow(int row, int from, int count) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Fixtures.path("expected/layouts_signal.int16")))
                .order(ByteOrder.LITTLE_ENDIAN);
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            out[i] = b.getShort(2 * (row * 12000 + from + i));
        }
        return out;
    }

    @Test
    void readSignal_fletcher32ChunkWith64FlippedBytes_failsNamingFileDatasetAndChunk(@TempDir Path dir)
            throws IOException {
        // Chunks of [4, 4096]; the second chunk, samples [4096, 8192), is damaged.
        copyWithFlippedChunk("layouts/fletcher32.h5", EEG, new int[] {0, 4096}, dir.resolve("f.h5"));
        try (RecordingFiles files = new RecordingFiles(List.of(dir), 2)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("f.h5", EEG, 0, 4, 4000, 200));
            assertEquals(Reason.CORRUPT, e.getReason());
            assertEquals("f.h5", e.getFile());
            assertEquals(EEG, e.getDataset());
            assertEquals(new Window(0, 4, 4000, 200), e.getWindow());
            assertMessage(e, "file f.h5, dataset /signals/eeg, channels [0, 4), samples [4000, 4200): "
                            + "chunk [0, 4096] (channels [0, 4), samples [4096, 8192)): fletcher32 checksum: 0x",
                    "data error detected by Fletcher32 checksum", "the data is corrupt");
            assertFalse(e.getMessage().contains("h5repack"), e.getMessage());
            // The chunks around it are intact and read back exactly.
            assertArrayEquals(expectedRow(2, 0, 4096), files.readSignal("f.h5", EEG, 2, 1, 0, 4096).shorts()[0]);
            assertArrayEquals(expectedRow(3, 8192, 3808),
                    files.readSignal("f.h5", EEG, 3, 1, 8192, 3808).shorts()[0]);
        }
    }

    @Test
    void readLabels_fletcher32ChunkWithFlippedBytes_failsNamingTheChunk(@TempDir Path dir) throws IOException {
        // Labels [2, 120] in chunks of [2, 64] (256 bytes of int16 plus the checksum).
        copyWithFlippedChunk("layouts/fletcher32.h5", STAGE, new int[] {0, 64}, dir.resolve("f.h5"));
        try (RecordingFiles files = new RecordingFiles(List.of(dir), 2)) {
            assertEquals(64, files.readLabels("f.h5", STAGE, 0, 64)[0].length);
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readLabels("f.h5", STAGE, 60, 10));
            assertEquals(Reason.CORRUPT, e.getReason());
            assertMessage(e, "file f.h5, dataset /labels/stage", "chunk [0, 64] (channels [0, 2), samples [64, 120))",
                    "data error detected by Fletcher32 checksum");
        }
    }

    @Test
    void readSignal_damagedDeflateChunk_saysCorruptAndWhereNotUnsupportedFilter(@TempDir Path dir)
            throws IOException {
        // Chunks of [4, 2048]; the third, samples [4096, 6144), is damaged.
        copyWithFlippedChunk("layouts/gzip.h5", EEG, new int[] {0, 4096}, dir.resolve("g.h5"));
        try (RecordingFiles files = new RecordingFiles(List.of(dir), 2)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("g.h5", EEG, 1, 2, 5000, 3000));
            assertEquals(Reason.CORRUPT, e.getReason());
            assertMessage(e, "file g.h5, dataset /signals/eeg, channels [1, 3), samples [5000, 8000): "
                    + "chunk [0, 4096] (channels [0, 4), samples [4096, 6144)): filters [deflate]: ", "the data is corrupt");
            assertFalse(e.getMessage().contains("h5repack"), e.getMessage());
            assertFalse(e.getMessage().contains("expected: deflate/gzip"), e.getMessage());
            assertArrayEquals(expectedRow(1, 6144, 2048), files.readSignal("g.h5", EEG, 1, 1, 6144, 2048).shorts()[0]);
        }
    }

    @Test
    void readSignal_truncatedDeflateStream_isCorrupt() {
        try (RecordingFiles files = new RecordingFiles(List.of(Fixtures.root()), 2)) {
            String file = "bad/gzip_truncated_chunk.h5";
            assertEquals(250, files.readSignal(file, EEG, 0, 4, 0, 250).samples());
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal(file, EEG, 0, 4, 200, 100));
            assertEquals(Reason.CORRUPT, e.getReason());
            assertMessage(e, "file bad/gzip_truncated_chunk.h5, dataset /signals/eeg, channels [0, 4), samples [200, 300): "
                    + "chunk [0, 250] (channels [0, 4), samples [250, 500)): filters [deflate]: ", "the data is corrupt");
            assertFalse(e.getMessage().contains("h5repack"), e.getMessage());
        }
    }

    @Test
    void readSignal_lzfStreamOverrunningItsChunk_isCorrupt() {
        try (RecordingFiles files = new RecordingFiles(List.of(Fixtures.root()), 2)) {
            String file = "bad/lzf_overrun_chunk.h5";
            short[] first = files.readSignal(file, EEG, 0, 1, 0, 250).shorts()[0];
            assertEquals(-25, first[0]);
            assertEquals(24, first[49]);
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal(file, EEG, 2, 1, 260, 10));
            assertEquals(Reason.CORRUPT, e.getReason());
            assertMessage(e, "file bad/lzf_overrun_chunk.h5, dataset /signals/eeg, channels [2, 3), samples [260, 270): "
                    + "chunk [0, 250] (channels [0, 4), samples [250, 500)): filters [lzf]: ", "the data is corrupt");
            assertFalse(e.getMessage().contains("h5repack"), e.getMessage());
        }
    }

    @Test
    void isDeterministic_corruptDataAndBadRequests_yesIoFailuresAndMissingFiles_no() {
        try (RecordingFiles files = new RecordingFiles(List.of(Fixtures.root()), 2)) {
            RecordingReadException corrupt = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("bad/gzip_truncated_chunk.h5", EEG, 0, 4, 250, 10));
            assertTrue(corrupt.isDeterministic());
            // Wrapped as the materializer wraps it, the verdict carries through.
            assertTrue(dev.batcher.materializers.MaterializerException.isDeterministic(
                    new dev.batcher.materializers.MaterializerException("item 0: " + corrupt.getMessage(), corrupt)));
            RecordingReadException missing = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("bad/nope.h5", EEG, 0, 4, 0, 10));
            assertEquals(Reason.MISSING_FILE, missing.getReason());
            assertFalse(missing.isDeterministic(), "another worker's mount may hold it");
            RecordingReadException truncated = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("bad/truncated.h5", EEG, 3, 1, 0, 1000));
            assertEquals(Reason.UNREADABLE, truncated.getReason());
            assertFalse(truncated.isDeterministic());
            assertFalse(dev.batcher.materializers.MaterializerException.isDeterministic(new java.io.UncheckedIOException(
                    new java.io.IOException("Input/output error"))));
        }
    }

    @Test
    void checksum_knownVectors_matchHdf5() {
        // Worked by hand from the definition: words 0x6162 ("ab"), then "c" as 0x6300.
        byte[] abc = {'a', 'b', 'c'};
        int sum1 = (0x6162 + 0x6300) % 0xffff;
        int sum2 = (0x6162 + (0x6162 + 0x6300)) % 0xffff;
        assertEquals(sum2 << 16 | sum1, Fletcher32Filter.checksum(abc, 3));
        assertEquals(0, Fletcher32Filter.checksum(new byte[0], 0));
    }
}
