package dev.batcher.testdata;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What {@link SyntheticDataset#generate} makes: how many recordings, how long, at what sample rate,
 * stored how, and with how many threads. Immutable; build one with {@link #builder()}. Two option
 * sets that differ only in {@link #threads()} or {@link #executor()} produce byte-identical files.
 */
public final class GeneratorOptions {
    /** The shortest recording allowed: five 30 s epochs, in hours. */
    public static final double MIN_HOURS = 150.0 / 3600.0;
    /** The longest recording allowed, in hours. */
    public static final double MAX_HOURS = 24.0;
    /** The lowest sample rate allowed (the beta band and chin EMG need it), in Hz. */
    public static final double MIN_SAMPLE_RATE = 64.0;
    /** The most int16 bytes one recording may hold: jhdf encodes a chunked dataset into one array. */
    public static final long MAX_RECORDING_BYTES = Integer.MAX_VALUE - 8L;

    private final long seed;
    private final int recordings;
    private final double minHours;
    private final double maxHours;
    private final double sampleRate;
    private final Layout layout;
    private final FileFormat format;
    private final int chunkChannels;
    private final int chunkSamples;
    private final int deflateLevel;
    private final int threads;
    private final Executor executor;

    private GeneratorOptions(Builder b) {
        this.seed = b.seed;
        this.recordings = b.recordings;
        this.minHours = b.minHours;
        this.maxHours = b.maxHours;
        this.sampleRate = b.sampleRate;
        this.layout = b.layout;
        this.format = b.format;
        this.chunkChannels = b.chunkChannels;
        this.chunkSamples = b.chunkSamples;
        this.deflateLevel = b.deflateLevel;
        this.threads = b.threads;
        this.executor = b.executor;
    }

    /**
     * Returns a builder with the defaults: seed 1, 4 recordings of 0.5 to 8 hours at 256 Hz,
     * contiguous layout, chunks of all channels by 8192 samples, deflate level 4, 1 thread, and a
     * thread pool of the generator's own.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder that starts from these options.
     *
     * @return a new builder holding a copy of every option
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.seed = seed;
        b.recordings = recordings;
        b.minHours = minHours;
        b.maxHours = maxHours;
        b.sampleRate = sampleRate;
        b.layout = layout;
        b.format = format;
        b.chunkChannels = chunkChannels;
        b.chunkSamples = chunkSamples;
        b.deflateLevel = deflateLevel;
        b.threads = threads;
        b.executor = executor;
        return b;
    }

    /**
     * Returns the seed every random draw derives from.
     *
     * @return the seed every random draw derives from
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns the number of recordings (files).
     *
     * @return the number of recordings (files)
     */
    public int recordings() {
        return recordings;
    }

    /**
     * Returns the shortest recording length, in hours.
     *
     * @return the shortest recording length, in hours
     */
    public double minHours() {
        return minHours;
    }

    /**
     * Returns the longest recording length, in hours; lengths are drawn uniformly in between.
     *
     * @return the longest recording length, in hours
     */
    public double maxHours() {
        return maxHours;
    }

    /**
     * Returns the signal sample rate, in Hz.
     *
     * @return the signal sample rate, in Hz
     */
    public double sampleRate() {
        return sampleRate;
    }

    /**
     * Returns how the signal dataset is stored.
     *
     * @return how the signal dataset is stored
     */
    public Layout layout() {
        return layout;
    }

    /**
     * Returns the file format recordings are written in.
     *
     * @return HDF5 (the default), or EDF/BDF in the Sleep-EDF layout
     */
    public FileFormat format() {
        return format;
    }

    /**
     * Returns the channels per chunk for chunked layouts; 0 means all the recording's channels.
     * Chunk sizes larger than a recording's dataset are clipped to it.
     *
     * @return the channels per chunk, or 0 for all
     */
    public int chunkChannels() {
        return chunkChannels;
    }

    /**
     * Returns the samples per chunk for chunked layouts.
     *
     * @return the samples per chunk for chunked layouts
     */
    public int chunkSamples() {
        return chunkSamples;
    }

    /**
     * Returns the deflate level (0 to 9) for the deflate layouts.
     *
     * @return the deflate level (0 to 9) for the deflate layouts
     */
    public int deflateLevel() {
        return deflateLevel;
    }

    /**
     * Returns how many recordings are generated at once. Each one in flight holds its whole signal
     * in memory (an 8 h, 11 channel, 256 Hz recording is about 160 MB, twice that for chunked layouts).
     *
     * @return the number of recordings in flight
     */
    public int threads() {
        return threads;
    }

    /**
     * Returns the executor recordings are generated on, or empty for a pool of {@link #threads()} threads.
     *
     * @return the executor recordings are generated on, or empty for a pool of {@link #threads()} threads
     */
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    @Override
    public String toString() {
        return "GeneratorOptions[seed=" + seed + ", recordings=" + recordings + ", hours=" + minHours + ".."
                + maxHours + ", sampleRate=" + sampleRate + ", layout=" + layout + ", format=" + format + ", chunk=" + chunkChannels
                + "x" + chunkSamples + ", deflateLevel=" + deflateLevel + ", threads=" + threads
                + (executor == null ? "" : ", executor=" + executor) + "]";
    }

    /** Builds {@link GeneratorOptions}. Each setter checks its argument; {@link #build()} checks them together. */
    public static final class Builder {
        private long seed = 1L;
        private int recordings = 4;
        private double minHours = 0.5;
        private double maxHours = 8.0;
        private double sampleRate = 256.0;
        private Layout layout = Layout.CONTIGUOUS;
        private FileFormat format = FileFormat.HDF5;
        private int chunkChannels = 0;
        private int chunkSamples = 8192;
        private int deflateLevel = 4;
        private int threads = 1;
        private Executor executor;

        private Builder() {
        }

        /**
         * Sets the seed.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the number of recordings.
         *
         * @param recordings how many files to write, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code recordings <= 0}
         */
        public Builder recordings(int recordings) {
            if (recordings <= 0) {
                throw new IllegalArgumentException("recordings: " + recordings + " (expected: > 0)");
            }
            this.recordings = recordings;
            return this;
        }

        /**
         * Sets the range recording lengths are drawn from, uniformly.
         *
         * @param minHours the shortest length, in {@code [MIN_HOURS, MAX_HOURS]}
         * @param maxHours the longest length, in {@code [minHours, MAX_HOURS]}
         * @return this builder
         * @throws IllegalArgumentException if {@code minHours} is not in {@code [MIN_HOURS, MAX_HOURS]},
         *     or {@code maxHours} is not in {@code [minHours, MAX_HOURS]}
         */
        public Builder hours(double minHours, double maxHours) {
            if (!(minHours >= MIN_HOURS && minHours <= MAX_HOURS)) {
                throw new IllegalArgumentException("minHours: " + minHours + " (expected: >= " + MIN_HOURS
                        + " (150 s) and <= " + MAX_HOURS + ")");
            }
            if (!(maxHours >= minHours && maxHours <= MAX_HOURS)) {
                throw new IllegalArgumentException("maxHours: " + maxHours + " (expected: >= minHours " + minHours
                        + " and <= " + MAX_HOURS + ")");
            }
            this.minHours = minHours;
            this.maxHours = maxHours;
            return this;
        }

        /**
         * Sets the signal sample rate.
         *
         * @param sampleRate samples per second: {@code >= MIN_SAMPLE_RATE}, and a whole number of
         *     samples in a 30 s epoch
         * @return this builder
         * @throws IllegalArgumentException if {@code sampleRate < MIN_SAMPLE_RATE}, is not finite, or
         *     {@code 30 * sampleRate} is not a whole number
         */
        public Builder sampleRate(double sampleRate) {
            if (!(sampleRate >= MIN_SAMPLE_RATE) || Double.isInfinite(sampleRate)) {
                throw new IllegalArgumentException("sampleRate: " + sampleRate + " (expected: >= " + MIN_SAMPLE_RATE
                        + " Hz and finite)");
            }
            double perEpoch = 30.0 * sampleRate;
            if (perEpoch != (long) perEpoch) {
                throw new IllegalArgumentException("sampleRate: " + sampleRate
                        + " (expected: a whole number of samples in a 30 s epoch; got " + perEpoch + ")");
            }
            this.sampleRate = sampleRate;
            return this;
        }

        /**
         * Sets how the signal dataset is stored.
         *
         * @param layout the layout
         * @return this builder
         * @throws NullPointerException if {@code layout} is null
         */
        public Builder layout(Layout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /**
         * Sets the file format.
         *
         * @param format HDF5, or EDF/BDF in the Sleep-EDF layout (PSG files with hypnogram EDF+ files)
         * @return this builder
         * @throws NullPointerException if {@code format} is null
         */
        public Builder format(FileFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Sets the chunk shape for chunked layouts; ignored for {@link Layout#CONTIGUOUS}.
         *
         * @param channels channels per chunk, {@code >= 0}; 0 means all of a recording's channels
         * @param samples samples per chunk, {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code channels < 0} or {@code samples <= 0}
         */
        public Builder chunkShape(int channels, int samples) {
            if (channels < 0) {
                throw new IllegalArgumentException("chunkChannels: " + channels + " (expected: >= 0, 0 for all)");
            }
            if (samples <= 0) {
                throw new IllegalArgumentException("chunkSamples: " + samples + " (expected: > 0)");
            }
            this.chunkChannels = channels;
            this.chunkSamples = samples;
            return this;
        }

        /**
         * Sets the deflate level for the deflate layouts; ignored for the others.
         *
         * @param level 0 (store) to 9 (smallest)
         * @return this builder
         * @throws IllegalArgumentException if {@code level} is not in {@code [0, 9]}
         */
        public Builder deflateLevel(int level) {
            if (level < 0 || level > 9) {
                throw new IllegalArgumentException("deflateLevel: " + level + " (expected: 0 to 9)");
            }
            this.deflateLevel = level;
            return this;
        }

        /**
         * Sets how many recordings are generated at once (and the size of the generator's own pool
         * when no executor is given). It bounds memory: each recording in flight holds its signal.
         *
         * @param threads {@code > 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code threads <= 0}
         */
        public Builder threads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
            }
            this.threads = threads;
            return this;
        }

        /**
         * Sets the executor recordings are generated on; {@link #threads(int)} tasks are submitted to
         * it. The caller owns it: the generator never shuts it down.
         *
         * @param executor an executor, or null for a pool of the generator's own
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if the longest possible recording would hold more than
         *     {@link #MAX_RECORDING_BYTES} bytes of samples
         */
        public GeneratorOptions build() {
            if (format != FileFormat.HDF5 && recordings > EdfRecordingWriter.MAX_RECORDINGS) {
                throw new IllegalArgumentException("recordings: " + recordings + " in " + format + " (expected: at most "
                        + EdfRecordingWriter.MAX_RECORDINGS + ", the subject and night numbers of Sleep-EDF names SC4ssN)");
            }
            double samples = maxHours * 3600.0 * sampleRate;
            double bytes = 2.0 * Montage.MAX_CHANNELS * samples;
            if (bytes > MAX_RECORDING_BYTES) {
                throw new IllegalArgumentException("maxHours: " + maxHours + " at sampleRate " + sampleRate
                        + " (expected: at most " + MAX_RECORDING_BYTES + " bytes per recording of "
                        + Montage.MAX_CHANNELS + " channels; got " + (long) bytes + ")");
            }
            return new GeneratorOptions(this);
        }
    }
}
