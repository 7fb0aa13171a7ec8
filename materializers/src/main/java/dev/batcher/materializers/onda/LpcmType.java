package dev.batcher.materializers.onda;

import java.util.Locale;

/**
 * An Onda {@code sample_type}: the little-endian element type of an LPCM sample file.
 *
 * <p>Windows are handed on as int16 or float32 ({@link #raw()}): int8, uint8 and int16 samples as
 * int16 (exact), float32 as float32, both decoded later with the signal's resolution and offset
 * under the float32 rule of HDF5 signals. The other types (int32, int64, uint16, uint32, uint64,
 * float64) do not fit either exactly, so they are decoded when read, in double precision and rounded
 * once to float32 ({@code (float) (sample * resolution + offset)}), and handed on with resolution 1
 * and offset 0.
 */
public enum LpcmType {
    /** Signed 1-byte integer. */
    INT8(1, Raw.INT16),
    /** Signed little-endian 2-byte integer. */
    INT16(2, Raw.INT16),
    /** Signed little-endian 4-byte integer. */
    INT32(4, Raw.DECODED),
    /** Signed little-endian 8-byte integer. */
    INT64(8, Raw.DECODED),
    /** Unsigned 1-byte integer. */
    UINT8(1, Raw.INT16),
    /** Unsigned little-endian 2-byte integer. */
    UINT16(2, Raw.DECODED),
    /** Unsigned little-endian 4-byte integer. */
    UINT32(4, Raw.DECODED),
    /** Unsigned little-endian 8-byte integer. */
    UINT64(8, Raw.DECODED),
    /** Little-endian IEEE 754 binary32. */
    FLOAT32(4, Raw.FLOAT32),
    /** Little-endian IEEE 754 binary64. */
    FLOAT64(8, Raw.DECODED);

    /** How a window of this type is handed on. */
    public enum Raw {
        /** As int16 samples, decoded later with the signal's resolution and offset. */
        INT16,
        /** As float32 samples, decoded later with the signal's resolution and offset. */
        FLOAT32,
        /** As float32 values decoded when read (resolution 1, offset 0 afterwards). */
        DECODED
    }

    private final int width;
    private final Raw raw;

    LpcmType(int width, Raw raw) {
        this.width = width;
        this.raw = raw;
    }

    /** Returns the size of one sample in bytes. */
    public int width() {
        return width;
    }

    /** Returns how windows of this type are handed on. */
    public Raw raw() {
        return raw;
    }

    /** Returns the name Onda gives this type, for example {@code uint16}. */
    public String ondaName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses an Onda {@code sample_type}.
     *
     * @param name for example {@code int16}
     * @return the type, or null if Onda has no such type
     */
    public static LpcmType parse(String name) {
        for (LpcmType t : values()) {
            if (t.ondaName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Returns the Onda names of every type, for messages. */
    static String names() {
        StringBuilder b = new StringBuilder();
        for (LpcmType t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.ondaName());
        }
        return b.toString();
    }
}
