package dev.batcher.samples.sleep;

import dev.batcher.api.BatchState;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A training checkpoint: the step, the training batcher's state, the settings that shape the run, the
 * progress averages and named {@code double} arrays (model parameters, standardisation statistics and
 * optimiser moments). Immutable.
 *
 * <p><b>File format, version 1.</b> Big-endian, as {@link DataOutputStream} writes it:
 * <pre>
 * header, 20 bytes
 *   8 bytes   magic, ASCII "BATCHCKP"
 *   int32     format version, 1
 *   int64     payload length P
 * payload, P bytes
 *   int64     step: the number of training steps done
 *   UTF       the batch state's text form, seed=S,batch=B: where the next take starts
 *   int32     K, then K pairs (UTF key, UTF value), keys in ascending order: the run's settings
 *   float64   loss EMA, float64 train accuracy EMA (NaN before the first step)
 *   int64     rows seen by the standardisation statistics
 *   int64     optimiser steps
 *   int32     A, then A arrays: UTF name, int32 rows, int32 columns, rows*columns float64 row-major
 * trailer, 32 bytes
 *   the SHA-256 of the payload
 * </pre>
 * UTF is {@link DataOutputStream#writeUTF}: an unsigned 16-bit length and modified UTF-8.
 * {@link SleepStageTrainer} writes the arrays {@code model.<p>}, {@code adam.m.<p>} and {@code
 * adam.v.<p>} for each parameter {@code <p>} ({@code W}, {@code b}, or {@code W1}, {@code b1}, {@code
 * W2}, {@code b2}), and {@code stats.mean} and {@code stats.m2} (Welford's running sums).
 *
 * <p>{@link #write} replaces a file atomically: it writes a temporary file in the same directory,
 * forces it to disk, moves it over the target with {@link StandardCopyOption#ATOMIC_MOVE} and forces
 * the directory, so a crash leaves the old checkpoint or the new one, never a mix. {@link #read}
 * checks the magic, the version, the length and the digest, and names the file in every error.
 */
public final class Checkpoint {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The name of the checkpoint file in a checkpoint directory. */
    public static final String FILE_NAME = "checkpoint.bin";

    private static final byte[] MAGIC = "BATCHCKP".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 4 + 8;
    private static final int DIGEST = 32;

    private final long step;
    private final BatchState state;
    private final SortedMap<String, String> settings;
    private final double lossEma;
    private final double accuracyEma;
    private final long statsRows;
    private final long optimizerSteps;
    private final List<Array> arrays;

    /**
     * A named matrix of doubles.
     *
     * @param name the array's name
     * @param rows its rows
     * @param columns its columns
     * @param values {@code rows * columns} values, row-major
     */
    public record Array(String name, int rows, int columns, double[] values) {
        /**
         * Checks the shape and copies the values.
         *
         * @param name the array's name
         * @param rows its rows
         * @param columns its columns
         * @param values {@code rows * columns} values, row-major
         * @throws IllegalArgumentException if a dimension is negative or the values do not fill the shape
         */
        public Array {
            Objects.requireNonNull(name, "name");
            if (rows < 0 || columns < 0 || values.length != (long) rows * columns) {
                throw new IllegalArgumentException("array " + name + ": " + values.length + " values for " + rows + "x"
                        + columns + " (expected: rows, columns >= 0 and rows * columns values)");
            }
            values = values.clone();
        }

        /** Returns a copy of the values. */
        @Override
        public double[] values() {
            return values.clone();
        }

        /** Equal if the names, shapes and values (bit for bit) are. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Array a && name.equals(a.name) && rows == a.rows && columns == a.columns
                    && Arrays.equals(values, a.values);
        }

        /** Returns a hash consistent with {@link #equals}. */
        @Override
        public int hashCode() {
            return Objects.hash(name, rows, columns) * 31 + Arrays.hashCode(values);
        }

        /** Returns the name and shape. */
        @Override
        public String toString() {
            return "Array[" + name + ", " + rows + "x" + columns + "]";
        }
    }

    /**
     * Creates a checkpoint.
     *
     * @param step the training steps done, {@code >= 0}
     * @param state the batch state the next training take starts from
     * @param settings the run's settings, compared on resume
     * @param lossEma the loss moving average
     * @param accuracyEma the train accuracy moving average
     * @param statsRows the rows the standardisation statistics have seen
     * @param optimizerSteps the optimiser's step count
     * @param arrays the named arrays; names must be distinct
     * @throws IllegalArgumentException if {@code step} is negative or two arrays share a name
     */
    public Checkpoint(long step, BatchState state, Map<String, String> settings, double lossEma, double accuracyEma,
            long statsRows, long optimizerSteps, List<Array> arrays) {
        if (step < 0) {
            throw new IllegalArgumentException("step: " + step + " (expected: >= 0)");
        }
        this.step = step;
        this.state = Objects.requireNonNull(state, "state");
        this.settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
        this.lossEma = lossEma;
        this.accuracyEma = accuracyEma;
        this.statsRows = statsRows;
        this.optimizerSteps = optimizerSteps;
        this.arrays = List.copyOf(arrays);
        for (int i = 0; i < this.arrays.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (this.arrays.get(i).name().equals(this.arrays.get(j).name())) {
                    throw new IllegalArgumentException("arrays: two named " + this.arrays.get(i).name()
                            + " (expected: distinct names)");
                }
            }
        }
    }

    /** Returns the number of training steps done. */
    public long step() {
        return step;
    }

    /** Returns the state the next training take starts from. */
    public BatchState state() {
        return state;
    }

    /** Returns the run's settings, sorted by key. */
    public SortedMap<String, String> settings() {
        return settings;
    }

    /** Returns the loss moving average (NaN before the first step). */
    public double lossEma() {
        return lossEma;
    }

    /** Returns the train accuracy moving average (NaN before the first step). */
    public double accuracyEma() {
        return accuracyEma;
    }

    /** Returns the number of rows the standardisation statistics have seen. */
    public long statsRows() {
        return statsRows;
    }

    /** Returns the optimiser's step count. */
    public long optimizerSteps() {
        return optimizerSteps;
    }

    /** Returns the arrays, in file order. */
    public List<Array> arrays() {
        return arrays;
    }

    /**
     * Returns the array named {@code name}.
     *
     * @param name the name
     * @return the array
     * @throws IllegalArgumentException if there is none; the message lists the names there are
     */
    public Array array(String name) {
        for (Array a : arrays) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("array " + name + ": missing (expected: one of "
                + arrays.stream().map(Array::name).toList() + ")");
    }

    /**
     * Writes the checkpoint to {@code file}, replacing it atomically.
     *
     * @param file the checkpoint file; its directory must exist
     * @throws CheckpointException if it cannot be written; the message names the file
     */
    public void write(Path file) {
        byte[] payload = CheckpointPayload.encode(this);
        ByteBuffer bytes = ByteBuffer.allocate(HEADER + payload.length + DIGEST);
        bytes.put(MAGIC).putInt(VERSION).putLong(payload.length).put(payload).put(sha256(payload)).flip();
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot be written (expected: a writable directory that supports "
                    + "atomic moves): " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; the stray temporary file is harmless to readers.
                }
            }
        }
    }

    /** Makes the rename durable where the platform allows opening a directory. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every platform can sync a directory; the file itself is on disk.
        }
    }

    /**
     * Reads a checkpoint file.
     *
     * @param file the checkpoint file
     * @return the checkpoint
     * @throws CheckpointException if the file is missing or unreadable, is not a checkpoint, has another
     *     format version, is truncated or longer than its header says, fails its digest, or its payload
     *     is malformed; the message starts with the file
     */
    public static Checkpoint read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing (expected: a checkpoint file written by SleepStageTrainer)", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": unreadable: " + e, e);
        }
        if (bytes.length < HEADER) {
            throw new CheckpointException(file + ": truncated: " + bytes.length + " bytes (expected: at least the "
                    + HEADER + "-byte header)", null);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        buffer.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CheckpointException(file + ": not a checkpoint: starts with "
                    + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("\\p{Cntrl}", "?")
                    + " (expected: the magic BATCHCKP)", null);
        }
        int version = buffer.getInt();
        if (version != VERSION) {
            throw new CheckpointException(file + ": format version " + version + " (expected: " + VERSION + ")", null);
        }
        long length = buffer.getLong();
        long expected = HEADER + length + DIGEST;
        if (length < 0 || bytes.length != expected) {
            throw new CheckpointException(file + ": " + (bytes.length < expected ? "truncated" : "too long") + ": "
                    + bytes.length + " bytes (expected: " + expected + " = " + HEADER + " header + " + length
                    + " payload + " + DIGEST + " digest)", null);
        }
        byte[] payload = Arrays.copyOfRange(bytes, HEADER, HEADER + (int) length);
        byte[] digest = Arrays.copyOfRange(bytes, HEADER + (int) length, bytes.length);
        if (!MessageDigest.isEqual(digest, sha256(payload))) {
            throw new CheckpointException(file + ": corrupt: the SHA-256 of the payload does not match the stored "
                    + "digest (expected: an intact file; restore it from a copy or remove it to start over)", null);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            Checkpoint c = CheckpointPayload.decode(in);
            if (in.read() != -1) {
                throw new IOException("bytes after the last array");
            }
            return c;
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": malformed payload: " + (e instanceof EOFException ? "ends early" : e.getMessage())
                    + " (expected: the version " + VERSION + " layout)", e);
        }
    }

    private static byte[] sha256(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Returns the step, state and array names. */
    @Override
    public String toString() {
        return "Checkpoint[step=" + step + ", state=" + state + ", arrays=" + arrays.stream().map(Array::name).toList() + "]";
    }
}
