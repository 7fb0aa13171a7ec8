package dev.batcher.materializers.onda;

import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.TimeSpan;

import java.util.List;

/**
 * One row of an {@code onda.signal} table ({@code onda.signal@2}, or {@code @1} with {@code kind}
 * for {@code sensor_type}), checked.
 *
 * @param recording the recording's UUID, in canonical lower-case form
 * @param filePath the {@code file_path} as written in the table
 * @param file the sample file relative to the dataset directory or prefix (forward slashes), where
 *     {@code filePath} leads
 * @param format the {@code file_format}
 * @param span the signal's span within the recording, in nanoseconds
 * @param sensorType {@code sensor_type} ({@code kind} in {@code onda.signal@1})
 * @param sensorLabel {@code sensor_label}, or {@code sensorType} where the table has none ({@code @1})
 * @param channels the channel names, in the order of the interleaved samples
 * @param sampleUnit {@code sample_unit}
 * @param resolution {@code sample_resolution_in_unit}
 * @param offset {@code sample_offset_in_unit}
 * @param sampleType {@code sample_type}
 * @param sampleRate {@code sample_rate}, in Hz
 */
public record OndaSignal(String recording, String filePath, String file, Format format, TimeSpan span,
                         String sensorType, String sensorLabel, List<String> channels, String sampleUnit,
                         double resolution, double offset, LpcmType sampleType, double sampleRate) {

    /** An Onda {@code file_format} this reader supports. */
    public enum Format {
        /** {@code lpcm}: interleaved little-endian samples, read in place by byte range. */
        LPCM("lpcm"),
        /** {@code lpcm.zst}: the same bytes compressed with zstd, decompressed once into the file cache. */
        LPCM_ZST("lpcm.zst");

        private final String ondaName;

        Format(String ondaName) {
            this.ondaName = ondaName;
        }

        /** Returns the {@code file_format} string, for example {@code lpcm.zst}. */
        public String ondaName() {
            return ondaName;
        }

        /** Returns the format named {@code name}, or null. */
        static Format parse(String name) {
            for (Format f : values()) {
                if (f.ondaName.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Copies the channel list. */
    public OndaSignal {
        channels = List.copyOf(channels);
    }

    /**
     * Returns the number of multichannel samples the span holds, as Onda counts them
     * ({@code Onda.sample_count(signal, duration(span))}: {@code floor(seconds * sample_rate)}, with
     * the seconds computed as {@code nanoseconds / 1e9} in double precision).
     */
    public long samples() {
        return samplesIn(span.durationNanos(), sampleRate);
    }

    static long samplesIn(long nanos, double rate) {
        return (long) Math.floor(nanos / 1e9 * rate + 1) - 1;
    }

    /** Returns the bytes of one multichannel sample: channels times the sample width. */
    public long frameBytes() {
        return (long) channels.size() * sampleType.width();
    }

    /** Returns the bytes of the whole (decompressed) sample data. */
    public long dataBytes() {
        return Math.multiplyExact(samples(), frameBytes());
    }

    /**
     * Describes the signal as the materializer reads it: named {@code /sensor_label}, int16 or
     * float32 windows with the resolution and offset they are decoded with (1 and 0 for types decoded
     * when read; see {@link LpcmType}), starting at the span's start.
     *
     * @return the description
     */
    public SignalInfo info() {
        LpcmType.Raw raw = sampleType.raw();
        SampleType type = raw == LpcmType.Raw.INT16 ? SampleType.INT16 : SampleType.FLOAT32;
        boolean decoded = raw == LpcmType.Raw.DECODED;
        return new SignalInfo("/" + sensorLabel, type, channels, sampleRate, decoded ? 1.0 : resolution,
                decoded ? 0.0 : offset, sampleUnit, span.startNanos(), samples());
    }
}
