package dev.batcher.samples.sleep;

import dev.batcher.api.BatchState;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The version 1 payload of a {@link Checkpoint} file: the fields and arrays, in {@link DataOutputStream} encoding. */
final class CheckpointPayload {
    private CheckpointPayload() {
    }

    /** Returns the payload bytes of {@code c}: everything between the header and the digest. */
    static byte[] encode(Checkpoint c) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeLong(c.step());
            out.writeUTF(c.state().toString());
            out.writeInt(c.settings().size());
            for (Map.Entry<String, String> e : c.settings().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeDouble(c.lossEma());
            out.writeDouble(c.accuracyEma());
            out.writeLong(c.statsRows());
            out.writeLong(c.optimizerSteps());
            out.writeInt(c.arrays().size());
            for (Checkpoint.Array a : c.arrays()) {
                out.writeUTF(a.name());
                out.writeInt(a.rows());
                out.writeInt(a.columns());
                for (double v : a.values()) {
                    out.writeDouble(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * Reads a payload.
     *
     * @throws IOException if it ends early or a count or shape does not fit the bytes left
     * @throws IllegalArgumentException if a value is out of range (a state, a duplicate array name)
     */
    static Checkpoint decode(DataInputStream in) throws IOException {
        long step = in.readLong();
        BatchState state = BatchState.parse(in.readUTF());
        int count = count(in, "settings");
        SortedMap<String, String> settings = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            settings.put(in.readUTF(), in.readUTF());
        }
        double lossEma = in.readDouble();
        double accuracyEma = in.readDouble();
        long statsRows = in.readLong();
        long optimizerSteps = in.readLong();
        int arrays = count(in, "arrays");
        List<Checkpoint.Array> list = new ArrayList<>(Math.min(arrays, 64));
        for (int i = 0; i < arrays; i++) {
            String name = in.readUTF();
            int rows = in.readInt();
            int columns = in.readInt();
            long n = (long) rows * columns;
            if (rows < 0 || columns < 0 || n * 8 > in.available()) {
                throw new IOException("array " + name + ": " + rows + "x" + columns + " does not fit the "
                        + in.available() + " bytes left");
            }
            double[] values = new double[(int) n];
            for (int j = 0; j < n; j++) {
                values[j] = in.readDouble();
            }
            list.add(new Checkpoint.Array(name, rows, columns, values));
        }
        return new Checkpoint(step, state, settings, lossEma, accuracyEma, statsRows, optimizerSteps, list);
    }

    private static int count(DataInputStream in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException(what + " count " + n + " does not fit the " + in.available() + " bytes left");
        }
        return n;
    }
}
