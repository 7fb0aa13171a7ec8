package dev.batcher.materializers.onda;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes Arrow IPC tables for tests with Arrow Java's writers, column by column, in the types the Onda
 * schemas give (or deliberately others), in the file or stream format, in one or several record batches.
 * No third-party Onda writer (Julia's Legolas/Onda.jl) runs here, so tests build tables to the
 * published schema with this.
 */
final class ArrowTableWriter {
    /** One column: its field and a value per row (null for a null cell). */
    record Column(Field field, List<?> values) {
    }

    static final String JULIA_UUID = "JuliaLang.UUID";

    private ArrowTableWriter() {
    }

    static Field text(String name) {
        return Field.nullable(name, new ArrowType.Utf8());
    }

    static Field float64(String name) {
        return Field.nullable(name, new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
    }

    static Field int32(String name) {
        return Field.nullable(name, new ArrowType.Int(32, true));
    }

    /** A UUID column as Arrow.jl writes Julia's UUID: FixedSizeBinary(16) with its extension name. */
    static Field uuid(String name) {
        return new Field(name, new FieldType(true, new ArrowType.FixedSizeBinary(16), null,
                Map.of("ARROW:extension:name", JULIA_UUID, "ARROW:extension:metadata", "")), null);
    }

    /** A span column: Struct{start, stop} of Duration(NANOSECOND). */
    static Field span(String name) {
        return new Field(name, FieldType.nullable(new ArrowType.Struct()), List.of(
                Field.nullable("start", new ArrowType.Duration(TimeUnit.NANOSECOND)),
                Field.nullable("stop", new ArrowType.Duration(TimeUnit.NANOSECOND))));
    }

    static Field textList(String name) {
        return new Field(name, FieldType.nullable(new ArrowType.List()), List.of(text("item")));
    }

    /** A dictionary-encoded text column (as Arrow.jl writes a PooledArray). */
    static Field dictionaryText(String name, long id) {
        return new Field(name, new FieldType(true, new ArrowType.Utf8(),
                new DictionaryEncoding(id, false, new ArrowType.Int(32, true))), null);
    }

    /** Julia's UUID bytes: the UInt128 in little-endian order, as Arrow.jl writes it. */
    static byte[] juliaUuid(UUID u) {
        byte[] b = new byte[16];
        long hi = u.getMostSignificantBits();
        long lo = u.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (lo >>> (8 * i));
            b[8 + i] = (byte) (hi >>> (8 * i));
        }
        return b;
    }

    /**
     * Writes a table.
     *
     * @param target the file
     * @param columns the columns, all with the same number of values
     * @param metadata the schema's custom metadata
     * @param fileFormat true for the IPC file format, false for the stream format
     * @param batchRows rows per record batch
     */
    static void write(Path target, List<Column> columns, Map<String, String> metadata, boolean fileFormat, int batchRows)
            throws IOException {
        int rows = columns.isEmpty() ? 0 : columns.get(0).values().size();
        List<Field> fields = new ArrayList<>();
        DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider();
        try (BufferAllocator allocator = new RootAllocator()) {
            List<FieldVector> dictionaryVectors = new ArrayList<>();
            for (Column c : columns) {
                DictionaryEncoding enc = c.field().getDictionary();
                if (enc == null) {
                    fields.add(c.field());
                } else {
                    VarCharVector values = new VarCharVector(c.field().getName() + "-dictionary", allocator);
                    List<String> distinct = c.values().stream().map(String::valueOf).distinct().sorted().toList();
                    values.allocateNew();
                    for (int i = 0; i < distinct.size(); i++) {
                        values.setSafe(i, distinct.get(i).getBytes(StandardCharsets.UTF_8));
                    }
                    values.setValueCount(distinct.size());
                    provider.put(new Dictionary(values, enc));
                    dictionaryVectors.add(values);
                    fields.add(new Field(c.field().getName(), new FieldType(true, enc.getIndexType(), enc), null));
                }
            }
            Schema schema = new Schema(fields, metadata);
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                 OutputStream out = Files.newOutputStream(target)) {
                ArrowWriter writer = fileFormat
                        ? new ArrowFileWriter(root, provider, Channels.newChannel(out))
                        : new ArrowStreamWriter(root, provider, Channels.newChannel(out));
                try (writer) {
                    writer.start();
                    for (int from = 0; from < Math.max(rows, 1); from += batchRows) {
                        int to = Math.min(rows, from + batchRows);
                        root.allocateNew();
                        for (int ci = 0; ci < columns.size(); ci++) {
                            Column c = columns.get(ci);
                            FieldVector v = root.getVector(ci);
                            if (c.field().getDictionary() != null) {
                                fillDictionary(v, c, from, to, provider.lookup(c.field().getDictionary().getId()), allocator);
                            } else {
                                fill(v, c.values().subList(from, to));
                            }
                        }
                        root.setRowCount(to - from);
                        writer.writeBatch();
                        if (rows == 0) {
                            break;
                        }
                    }
                    writer.end();
                }
            } finally {
                dictionaryVectors.forEach(FieldVector::close);
            }
        }
    }

    private static void fillDictionary(FieldVector indices, Column c, int from, int to, Dictionary d, BufferAllocator allocator) {
        try (VarCharVector plain = new VarCharVector("plain", allocator)) {
            plain.allocateNew();
            for (int i = from; i < to; i++) {
                plain.setSafe(i - from, String.valueOf(c.values().get(i)).getBytes(StandardCharsets.UTF_8));
            }
            plain.setValueCount(to - from);
            try (FieldVector encoded = (FieldVector) DictionaryEncoder.encode(plain, d)) {
                IntVector src = (IntVector) encoded;
                IntVector dst = (IntVector) indices;
                for (int i = 0; i < to - from; i++) {
                    dst.setSafe(i, src.get(i));
                }
                dst.setValueCount(to - from);
            }
        }
    }

    private static void fill(FieldVector v, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            Object o = values.get(i);
            if (o == null) {
                v.setNull(i);
                continue;
            }
            if (v instanceof VarCharVector t) {
                t.setSafe(i, o.toString().getBytes(StandardCharsets.UTF_8));
            } else if (v instanceof Float8Vector f) {
                f.setSafe(i, ((Number) o).doubleValue());
            } else if (v instanceof IntVector n) {
                n.setSafe(i, ((Number) o).intValue());
            } else if (v instanceof BigIntVector n) {
                n.setSafe(i, ((Number) o).longValue());
            } else if (v instanceof FixedSizeBinaryVector b) {
                b.setSafe(i, o instanceof UUID u ? juliaUuid(u) : (byte[]) o);
            } else if (v instanceof StructVector s) {
                long[] span = (long[]) o;
                DurationVector start = (DurationVector) s.getChild("start");
                DurationVector stop = (DurationVector) s.getChild("stop");
                start.setSafe(i, span[0]);
                stop.setSafe(i, span[1]);
                s.setIndexDefined(i);
            } else if (v instanceof ListVector l) {
                UnionListWriter w = l.getWriter();
                w.setPosition(i);
                w.startList();
                for (Object item : (List<?>) o) {
                    byte[] b = item.toString().getBytes(StandardCharsets.UTF_8);
                    try (var buf = l.getAllocator().buffer(b.length)) {
                        buf.setBytes(0, b);
                        w.varChar().writeVarChar(0, b.length, buf);
                    }
                }
                w.endList();
            } else {
                throw new IllegalArgumentException("column type: " + v.getClass().getSimpleName() + " (expected: one this writer fills)");
            }
        }
        v.setValueCount(values.size());
    }
}
