package dev.batcher.testdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything about one recording that is decided before its samples are synthesised: its name,
 * length, channels, scaling, start times and sleep stages. Drawn from the {@code (seed, recording)}
 * stream only, so it is the same whichever thread builds it.
 *
 * @param index the recording's index in the dataset
 * @param name the recording id, also the file's base name
 * @param channels the channel names in row order
 * @param gains each channel's amplifier gain error (multiplies the true signal)
 * @param resolution the microvolts of one int16 step
 * @param offset the microvolts added after scaling
 * @param sampleRate samples per second
 * @param epochSamples samples in one 30 s epoch
 * @param samples samples per channel
 * @param signalStartNanos when the signal starts within the recording
 * @param labelOffsetEpochs whole epochs between the signal start and the first label
 * @param labels the label code of each labelled epoch
 * @param variation per-recording variation of the rhythms (relative strengths and frequencies)
 */
record RecordingPlan(
        int index,
        String name,
        List<String> channels,
        double[] gains,
        double resolution,
        double offset,
        double sampleRate,
        int epochSamples,
        int samples,
        long signalStartNanos,
        int labelOffsetEpochs,
        byte[] labels,
        Variation variation) {

    /** Stream tags: the first index of every key path, so streams for different purposes never meet. */
    static final long PLAN_STREAM = 1;
    static final long HYPNOGRAM_STREAM = 2;
    static final long EPOCH_STREAM = 3;
    static final long NOISE_STREAM = 4;

    /** The resolutions recordings are drawn from: all exact binary fractions of a microvolt. */
    private static final double[] RESOLUTIONS = {0.0625, 0.1953125, 0.125, 0.09765625};

    /** Nanoseconds in a 30 s epoch. */
    static final long EPOCH_NANOS = 30_000_000_000L;

    /**
     * How a recording's rhythms differ from the textbook: the sleeper's individual alpha, spindle
     * and theta frequencies and how strong each rhythm is for them.
     *
     * @param alphaHz the centre of the alpha rhythm
     * @param thetaHz the centre of the theta rhythm
     * @param deltaHz the centre of the delta rhythm
     * @param betaHz the centre of the beta rhythm
     * @param spindleHz the centre of spindle frequencies
     * @param alphaGain strength of alpha
     * @param slowGain strength of theta and delta
     * @param eventGain strength of spindles, K-complexes and sawtooth waves
     */
    record Variation(double alphaHz, double thetaHz, double deltaHz, double betaHz, double spindleHz,
            double alphaGain, double slowGain, double eventGain) {
    }

    /**
     * Decides recording {@code index} of a dataset.
     *
     * @param options the generator options (already checked)
     * @param index the recording index
     * @return the plan
     */
    static RecordingPlan of(GeneratorOptions options, int index) {
        long seed = options.seed();
        SplitMix64 random = SplitMix64.keyed(seed, PLAN_STREAM, index);
        String name = String.format(Locale.ROOT, "rec-%04d", index);

        // Consecutive recordings use different channel sets; the seed picks where the cycle starts.
        int template = (int) Math.floorMod(SplitMix64.key(seed, PLAN_STREAM) + index, Montage.TEMPLATES.size());
        List<String> channels = new ArrayList<>(Montage.TEMPLATES.get(template));
        if (random.nextInt(3) == 0) {
            // Some recordings store their channels in yet another order.
            for (int i = channels.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                channels.set(i, channels.set(j, channels.get(i)));
            }
        }
        double[] gains = new double[channels.size()];
        for (int c = 0; c < gains.length; c++) {
            gains[c] = random.uniform(0.85, 1.15);
        }

        double resolution = RESOLUTIONS[random.nextInt(RESOLUTIONS.length)];
        double offset = (random.nextInt(640) - 320) * 0.0625;
        if (offset == 0.0) {
            offset = 1.5;
        }

        double sampleRate = options.sampleRate();
        int epochSamples = (int) (30.0 * sampleRate);
        double hours = random.uniform(options.minHours(), options.maxHours());
        int samples = (int) (hours * 3600.0 * sampleRate);

        long signalStartNanos = index == 0 ? 0L : random.nextInt(11) * 1_000_000_000L;
        int whole = samples / epochSamples;
        int labelOffsetEpochs = random.nextInt(whole >= 8 ? 3 : 1);
        int labelEpochs = whole - labelOffsetEpochs;
        if (labelEpochs > 4 && random.nextInt(2) == 0) {
            labelEpochs--; // some scorers stop before the end of the signal
        }
        byte[] labels = Hypnogram.draw(SplitMix64.keyed(seed, HYPNOGRAM_STREAM, index), labelEpochs);

        Variation variation = new Variation(
                random.uniform(8.5, 11.5),
                random.uniform(4.5, 6.5),
                random.uniform(0.8, 1.4),
                random.uniform(17.0, 23.0),
                random.uniform(12.3, 13.7),
                random.uniform(0.75, 1.3),
                random.uniform(0.8, 1.2),
                random.uniform(0.8, 1.2));

        return new RecordingPlan(index, name, List.copyOf(channels), gains, resolution, offset, sampleRate,
                epochSamples, samples, signalStartNanos, labelOffsetEpochs, labels, variation);
    }

    /** Returns the file name, {@code <name>.h5}. */
    String fileName() {
        return name + ".h5";
    }

    /** Returns when the first label epoch starts within the recording. */
    long labelStartNanos() {
        return signalStartNanos + labelOffsetEpochs * EPOCH_NANOS;
    }

    /** Returns the number of signal epochs, counting a last partial one. */
    int signalEpochs() {
        return (samples + epochSamples - 1) / epochSamples;
    }

    /**
     * Returns the stage the sleeper is in during signal epoch {@code epoch}: awake before the first
     * label, the label's stage while labelled, and the last label's stage after the labels end.
     *
     * @param epoch a signal epoch index
     * @return the stage
     */
    Stage stageAt(int epoch) {
        int labelled = epoch - labelOffsetEpochs;
        if (labelled < 0) {
            return Stage.WAKE;
        }
        return Stage.ofCode(labels[Math.min(labelled, labels.length - 1)]);
    }

    /** Returns the number of int16 bytes the signal holds. */
    long sampleBytes() {
        return 2L * channels.size() * samples;
    }
}
