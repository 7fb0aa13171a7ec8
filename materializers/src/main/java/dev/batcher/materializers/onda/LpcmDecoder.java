package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.RawWindow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns interleaved little-endian LPCM bytes (sample-major: every channel of sample 0, then of
 * sample 1, ...) into a channel-major {@link RawWindow}, as {@link LpcmType} says: int8, uint8 and
 * int16 as int16, float32 as float32, the other types decoded to float32 values.
 */
final class LpcmDecoder {
    private LpcmDecoder() {
    }

    /**
     * Decodes a window.
     *
     * @param bytes {@code sampleCount} whole multichannel samples of {@code signal}, from its position
     * @param signal the signal (type, channel count, resolution and offset)
     * @param firstChannel the first channel to keep
     * @param channelCount how many channels to keep
     * @param sampleCount how many samples the bytes hold
     * @return the window, {@code [channelCount][sampleCount]}
     */
    static RawWindow decode(ByteBuffer bytes, OndaSignal signal, int firstChannel, int channelCount, int sampleCount) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = signal.channels().size();
        LpcmType type = signal.sampleType();
        int w = type.width();
        switch (type.raw()) {
            case INT16 -> {
                short[][] out = new short[channelCount][sampleCount];
                for (int t = 0; t < sampleCount; t++) {
                    int at = (t * n + firstChannel) * w;
                    for (int c = 0; c < channelCount; c++, at += w) {
                        out[c][t] = switch (type) {
                            case INT8 -> b.get(at);
                            case UINT8 -> (short) (b.get(at) & 0xFF);
                            default -> b.getShort(at);
                        };
                    }
                }
                return RawWindow.ofShorts(out);
            }
            case FLOAT32 -> {
                float[][] out = new float[channelCount][sampleCount];
                for (int t = 0; t < sampleCount; t++) {
                    int at = (t * n + firstChannel) * w;
                    for (int c = 0; c < channelCount; c++, at += w) {
                        out[c][t] = b.getFloat(at);
                    }
                }
                return RawWindow.ofFloats(out);
            }
            default -> {
                double res = signal.resolution();
                double off = signal.offset();
                float[][] out = new float[channelCount][sampleCount];
                for (int t = 0; t < sampleCount; t++) {
                    int at = (t * n + firstChannel) * w;
                    for (int c = 0; c < channelCount; c++, at += w) {
                        out[c][t] = (float) (wide(b, at, type) * res + off);
                    }
                }
                return RawWindow.ofFloats(out);
            }
        }
    }

    /** Returns a sample of a type decoded when read, as a double (exact up to 2^53). */
    static double wide(ByteBuffer b, int at, LpcmType type) {
        return switch (type) {
            case INT32 -> b.getInt(at);
            case INT64 -> (double) b.getLong(at);
            case UINT16 -> b.getShort(at) & 0xFFFF;
            case UINT32 -> b.getInt(at) & 0xFFFF_FFFFL;
            case UINT64 -> unsigned(b.getLong(at));
            case FLOAT64 -> b.getDouble(at);
            default -> throw new IllegalArgumentException("type: " + type + " (expected: a type decoded when read)");
        };
    }

    /** Converts an unsigned 64-bit value to the nearest double. */
    private static double unsigned(long v) {
        if (v >= 0) {
            return v;
        }
        // Halve (keeping the lowest bit so rounding stays correct), convert, double.
        return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }
}
