package dev.batcher.materializers.onda;

import dev.batcher.materializers.metadata.TimeSpan;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The column types of the Onda schemas, checked against a table's schema once and read row by row,
 * with errors naming the table, the column, the row and what was expected.
 */
final class Columns {
    /** The kinds of column the Onda schemas use. */
    enum Kind {
        /** {@code Utf8} (or {@code LargeUtf8}). */
        TEXT("Utf8"),
        /** 128-bit {@code FixedSizeBinary} (or a {@code Utf8} UUID string). */
        UUID("FixedSizeBinary(16), a UUID"),
        /** {@code Struct} of {@code start} and {@code stop}, {@code Duration} (or {@code Int64} nanoseconds). */
        SPAN("Struct{start, stop} of Duration(NANOSECOND)"),
        /** {@code List} of {@code Utf8}. */
        TEXT_LIST("List<Utf8>"),
        /** {@code FloatingPoint} (or an integer, as {@code onda.signal@1} allows). */
        NUMBER("FloatingPoint(DOUBLE)");

        private final String arrow;

        Kind(String arrow) {
            this.arrow = arrow;
        }
    }

    private final ArrowIpcReader reader;
    private final String table;
    /** The table row of the loaded batch's first row, for messages. */
    private int base;

    Columns(ArrowIpcReader reader, String table) {
        this.reader = reader;
        this.table = table;
    }

    /** Sets the table row of the loaded batch's first row (rows in messages count from 0 over the whole table). */
    void base(int firstRow) {
        base = firstRow;
    }

    /** Tells whether the table has a column of that name. */
    boolean has(String column) {
        return field(column) != null;
    }

    private Field field(String column) {
        for (Field f : reader.schema().getFields()) {
            if (f.getName().equals(column)) {
                return f;
            }
        }
        return null;
    }

    /**
     * Checks that a required column is present and of its kind.
     *
     * @throws OndaException naming the column, what the table has and what was expected
     */
    void require(String column, Kind kind, String schema) {
        Field f = field(column);
        if (f == null) {
            throw new OndaException(table, "column " + column + ": missing (expected: a " + kind.arrow + " column, required by "
                    + schema + "; the table has " + names(reader.schema()) + ")", null);
        }
        if (!matches(f, kind)) {
            throw new OndaException(table, "column " + column + ": " + describe(f) + " (expected: " + kind.arrow + ", as "
                    + schema + " says)", null);
        }
    }

    private static boolean matches(Field f, Kind kind) {
        ArrowType t = f.getType();
        return switch (kind) {
            case TEXT -> isText(t);
            case UUID -> (t instanceof ArrowType.FixedSizeBinary b && b.getByteWidth() == 16) || isText(t);
            case NUMBER -> t instanceof ArrowType.FloatingPoint || t instanceof ArrowType.Int;
            case TEXT_LIST -> (t instanceof ArrowType.List || t instanceof ArrowType.LargeList)
                    && f.getChildren().size() == 1 && isText(f.getChildren().get(0).getType());
            case SPAN -> t instanceof ArrowType.Struct && isTime(f, "start") && isTime(f, "stop");
        };
    }

    private static boolean isText(ArrowType t) {
        return t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8;
    }

    private static boolean isTime(Field struct, String name) {
        for (Field c : struct.getChildren()) {
            if (c.getName().equals(name)) {
                return c.getType() instanceof ArrowType.Duration
                        || (c.getType() instanceof ArrowType.Int i && i.getBitWidth() == 64 && i.getIsSigned());
            }
        }
        return false;
    }

    private static String describe(Field f) {
        String s = f.getType().toString();
        if (!f.getChildren().isEmpty()) {
            List<String> children = new ArrayList<>();
            for (Field c : f.getChildren()) {
                children.add(c.getName() + ": " + describe(c));
            }
            s += "<" + String.join(", ", children) + ">";
        }
        return s;
    }

    private static String names(Schema schema) {
        List<String> names = new ArrayList<>();
        schema.getFields().forEach(f -> names.add(f.getName()));
        return names.toString();
    }

    private FieldVector vector(String column) {
        return reader.column(column);
    }

    private Object value(FieldVector v, String column, int row) {
        if (v.isNull(row)) {
            throw bad(column, row, "null", "a value (nulls are not allowed in this column)");
        }
        return v.getObject(row);
    }

    /** Reads a text cell. */
    String text(String column, int row) {
        return value(vector(column), column, row).toString();
    }

    /** Reads a number cell as a double. */
    double number(String column, int row) {
        Object o = value(vector(column), column, row);
        return ((Number) o).doubleValue();
    }

    /** Reads a list-of-text cell. */
    List<String> texts(String column, int row) {
        List<?> list = (List<?>) value(vector(column), column, row);
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object o = list.get(i);
            if (o == null) {
                throw bad(column, row, "a null at element " + i, "text elements");
            }
            out.add(o.toString());
        }
        return out;
    }

    /**
     * Reads a UUID cell in canonical form. A 16-byte value is read as Arrow.jl writes Julia's
     * {@code UUID} (its {@code UInt128} in little-endian byte order), unless the column carries the
     * canonical {@code arrow.uuid} extension (big-endian, RFC 9562 byte order).
     */
    String uuid(String column, int row) {
        FieldVector v = vector(column);
        Object o = value(v, column, row);
        if (v instanceof FixedSizeBinaryVector) {
            byte[] b = (byte[]) o;
            boolean bigEndian = "arrow.uuid".equals(v.getField().getMetadata().get("ARROW:extension:name"));
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (b[bigEndian ? i : 15 - i] & 0xFF);
                lo = (lo << 8) | (b[bigEndian ? 8 + i : 7 - i] & 0xFF);
            }
            return new UUID(hi, lo).toString();
        }
        String text = o.toString();
        try {
            return UUID.fromString(text).toString().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw bad(column, row, "'" + text + "'", "a UUID such as 0b14d2c6-d8d8-44e4-6824-f5c5d857215b");
        }
    }

    /**
     * Reads a span cell.
     *
     * @throws OndaException if start is negative or stop is not after start
     */
    TimeSpan span(String column, int row) {
        StructVector v = (StructVector) vector(column);
        if (v.isNull(row)) {
            throw bad(column, row, "null", "a span");
        }
        long start = nanos(v.getChild("start"), column + ".start", row);
        long stop = nanos(v.getChild("stop"), column + ".stop", row);
        if (start < 0 || stop <= start) {
            throw bad(column, row, "(start=" + start + ", stop=" + stop + ") ns", "0 <= start < stop");
        }
        return new TimeSpan(start, stop);
    }

    private long nanos(FieldVector v, String column, int row) {
        if (v.isNull(row)) {
            throw bad(column, row, "null", "a duration");
        }
        if (v instanceof BigIntVector b) {
            return b.get(row);
        }
        DurationVector d = (DurationVector) v;
        long raw = DurationVector.get(d.getDataBuffer(), row);
        ArrowType.Duration type = (ArrowType.Duration) d.getField().getType();
        long scale = switch (type.getUnit()) {
            case SECOND -> 1_000_000_000L;
            case MILLISECOND -> 1_000_000L;
            case MICROSECOND -> 1_000L;
            case NANOSECOND -> 1L;
        };
        try {
            return Math.multiplyExact(raw, scale);
        } catch (ArithmeticException e) {
            throw bad(column, row, raw + " " + type.getUnit(), "a duration of at most 2^63 ns");
        }
    }

    /** Returns an error about a cell. */
    OndaException bad(String column, int row, String value, String expected) {
        return new OndaException(table, "row " + (base + row) + ", column " + column + ": " + value + " (expected: " + expected + ")", null);
    }
}
