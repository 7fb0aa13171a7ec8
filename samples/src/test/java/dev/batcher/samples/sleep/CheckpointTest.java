package dev.batcher.samples.sleep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CheckpointTest {
    @TempDir
    Path dir;

    private static Checkpoint sample() {
        return new Checkpoint(1200, new BatchState(-7, 1200), Map.of("seed", "-7", "channels", "names:C3,C4"), 0.125,
                Double.NaN, 640, 1200, List.of(
                        new Checkpoint.Array("model.W", 2, 3, new double[] {1, -2, 3.5, Double.MIN_VALUE, -0.0, 1e300}),
                        new Checkpoint.Array("model.b", 1, 3, new double[] {0.1, 0.2, 0.3}),
                        new Checkpoint.Array("empty", 0, 4, new double[0])));
    }

    @Test
    void write_thenRead_givesTheSameCheckpoint() {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        Checkpoint c = sample();

        c.write(file);
        Checkpoint back = Checkpoint.read(file);

        assertEquals(1200, back.step());
        assertEquals(new BatchState(-7, 1200), back.state());
        assertEquals(List.of("channels", "seed"), List.copyOf(back.settings().keySet()));
        assertEquals(c.settings(), back.settings());
        assertEquals(0.125, back.lossEma());
        assertTrue(Double.isNaN(back.accuracyEma()));
        assertEquals(640, back.statsRows());
        assertEquals(1200, back.optimizerSteps());
        assertEquals(c.arrays(), back.arrays());
        assertArrayEquals(new double[] {1, -2, 3.5, Double.MIN_VALUE, -0.0, 1e300}, back.array("model.W").values());
    }

    @Test
    void write_overAnOldCheckpoint_replacesItAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        sample().write(file);

        new Checkpoint(5, BatchState.initial(1), Map.of(), 1, 1, 0, 0, List.of()).write(file);

        assertEquals(5, Checkpoint.read(file).step());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void read_truncatedFile_namesTheFileAndTheSizes() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertEquals(file + ": truncated: " + (bytes.length - 1) + " bytes (expected: " + bytes.length + " = 20 header + "
                + (bytes.length - 52) + " payload + 32 digest)", e.getMessage());
    }

    @Test
    void read_fileShorterThanTheHeader_namesTheFile() throws IOException {
        Path file = dir.resolve("short.bin");
        Files.write(file, new byte[] {'B', 'A', 'T'});

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertEquals(file + ": truncated: 3 bytes (expected: at least the 20-byte header)", e.getMessage());
    }

    @Test
    void read_flippedPayloadByte_isReportedCorrupt() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[40] ^= 0x10;
        Files.write(file, bytes);

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertTrue(e.getMessage().startsWith(file + ": corrupt: the SHA-256 of the payload does not match"), e.getMessage());
    }

    @Test
    void read_otherFile_isNotACheckpoint() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "hello, this is not a checkpoint at all");

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertEquals(file + ": not a checkpoint: starts with hello, t (expected: the magic BATCHCKP)", e.getMessage());
    }

    @Test
    void read_newerVersion_isRefused() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        sample().write(file);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(8, 2);
        Files.write(file, bytes);

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertEquals(file + ": format version 2 (expected: 1)", e.getMessage());
    }

    @Test
    void read_missingFile_namesIt() {
        Path file = dir.resolve("nothing.bin");

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));

        assertTrue(e.getMessage().startsWith(file + ": missing"), e.getMessage());
    }

    @Test
    void array_unknownName_listsTheNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sample().array("adam.m.W"));

        assertEquals("array adam.m.W: missing (expected: one of [model.W, model.b, empty])", e.getMessage());
    }

    @Test
    void constructor_duplicateArrayNames_isRefused() {
        Checkpoint.Array a = new Checkpoint.Array("x", 1, 1, new double[] {1});

        assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(0, BatchState.initial(0), Map.of(), 0, 0, 0, 0, List.of(a, a)));
    }
}
