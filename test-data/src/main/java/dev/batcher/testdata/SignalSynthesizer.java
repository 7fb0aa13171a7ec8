package dev.batcher.testdata;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Synthesises one recording's int16 signal, epoch by epoch, from its {@link RecordingPlan}.
 *
 * <p>Each epoch fills four source buffers (posterior alpha; central theta, spindles and sawtooth
 * waves; frontal delta, beta and K-complexes; eye movements) according to the epoch's sleep stage,
 * and then builds every channel as its own pink noise (plus muscle noise on EMG channels) plus the
 * sources weighted by the electrode's position, scaled by the channel's gain and quantised to int16
 * with the recording's resolution and offset.
 *
 * <p>The rhythms are white noise driven through two-pole resonators, so they wax and wane like real
 * EEG and change strength smoothly when the stage changes; their state, the noise filters and the eye
 * position carry over from epoch to epoch. Every random draw comes from a stream keyed by
 * {@code (seed, recording, epoch, purpose)}, the sines and exponentials come from {@link StrictMath}
 * (and only once per epoch or event: the per-sample work is additions and multiplications, which Java
 * defines exactly), so a recording's bytes are the same on every thread and every JVM.
 */
final class SignalSynthesizer {
    /** Variance of the per-sample noise: the sum of two uniforms on [-1/2, 1/2). */
    static final double NOISE_VARIANCE = 1.0 / 6.0;
    /** Noise stream ids of the sources; channel {@code c} uses {@code CHANNEL_NOISE + c}. */
    private static final long ALPHA_NOISE = 0;
    private static final long THETA_NOISE = 1;
    private static final long DELTA_NOISE = 2;
    private static final long BETA_NOISE = 3;
    private static final long CHANNEL_NOISE = 16;
    private static final long EMG_NOISE = 1024;
    /** Corner frequencies and weights of the three one-pole filters summed into pink noise. */
    private static final double[] PINK_HZ = {0.4, 3.0, 25.0};
    private static final double[] PINK_WEIGHTS = {0.10, 0.30, 1.05};
    private static final double PINK_DIRECT = 0.18;
    /** Epoch-to-epoch spread of rhythm and event strengths (log-normal sigma). */
    private static final double JITTER = 0.2;
    /** Where the gaze filters settle when the eyes are still, in µV (see {@link #eyes}). */
    private static final double EYE_REST = 1.0;

    private final RecordingPlan plan;
    private final long seed;
    private final double fs;
    private final int epochSamples;
    private final int channels;
    private final RecordingPlan.Variation variation;

    /** Per channel: the source weights, the pink and EMG levels, and the int16 scale. */
    private final double[][] weights;
    private final double[] pinkScale;
    private final double[] emgScale;
    private final double[] steps;
    private final double offsetSteps;

    private final double[][] sources;
    private final double[] buffer;

    private final Resonator alpha;
    private final Resonator theta;
    private final Resonator delta;
    private final Resonator beta;

    private final double[] pinkPole = new double[3];
    private final double[] pinkState;
    private final double[] emgLast;

    private final double[] kComplex;
    private final double eyeFollow;
    private final double eyeCoupling;
    private double eyeTarget;
    private double eyePosition;
    private double eyeBaseline;
    private double rollCos = 1.0;
    private double rollSin = 0.0;

    /**
     * Prepares the synthesis of a recording.
     *
     * @param plan the recording
     * @param seed the dataset seed
     */
    SignalSynthesizer(RecordingPlan plan, long seed) {
        this.plan = plan;
        this.seed = seed;
        this.fs = plan.sampleRate();
        this.epochSamples = plan.epochSamples();
        this.variation = plan.variation();
        List<String> names = plan.channels();
        this.channels = names.size();

        for (int i = 0; i < 3; i++) {
            pinkPole[i] = StrictMath.exp(-2.0 * StrictMath.PI * PINK_HZ[i] / fs);
        }
        double pinkNorm = 1.0 / StrictMath.sqrt(pinkVariance(pinkPole));
        this.weights = new double[channels][];
        this.pinkScale = new double[channels];
        this.emgScale = new double[channels];
        this.steps = new double[channels];
        for (int c = 0; c < channels; c++) {
            Montage.Kind kind = Montage.kindOf(names.get(c));
            weights[c] = kind.weights.clone();
            pinkScale[c] = kind.pinkRms * pinkNorm;
            // First differences of the per-sample noise have twice its variance.
            emgScale[c] = kind.emgWeight / StrictMath.sqrt(2.0 * NOISE_VARIANCE);
            steps[c] = plan.gains()[c] / plan.resolution();
        }
        this.offsetSteps = plan.offset() / plan.resolution();

        this.sources = new double[Montage.SOURCES][epochSamples];
        this.buffer = new double[epochSamples];
        this.alpha = new Resonator(fs);
        this.theta = new Resonator(fs);
        this.delta = new Resonator(fs);
        this.beta = new Resonator(fs);
        this.pinkState = new double[3 * channels];
        this.emgLast = new double[channels];
        this.kComplex = kComplexTemplate(fs);
        this.eyeFollow = 1.0 - StrictMath.exp(-1.0 / (0.03 * fs));
        this.eyeCoupling = 1.0 - StrictMath.exp(-2.0 * StrictMath.PI * 0.3 / fs);
    }

    /**
     * Synthesises the whole signal.
     *
     * @param stop polled between epochs; when it returns true the synthesis stops early
     * @return {@code [channels][samples]} int16 samples, or null if stopped
     */
    short[][] synthesize(BooleanSupplier stop) {
        short[][] out = new short[channels][plan.samples()];
        int epochs = plan.signalEpochs();
        for (int e = 0; e < epochs; e++) {
            if (stop.getAsBoolean()) {
                return null;
            }
            epoch(e, out);
        }
        return out;
    }

    /** Synthesises signal epoch {@code e} into {@code out}. */
    private void epoch(int e, short[][] out) {
        int base = e * epochSamples;
        int n = Math.min(epochSamples, plan.samples() - base);
        Stage stage = plan.stageAt(e);
        SplitMix64 random = SplitMix64.keyed(seed, RecordingPlan.EPOCH_STREAM, plan.index(), e);
        for (double[] source : sources) {
            Arrays.fill(source, 0, n, 0.0);
        }

        double[] posterior = sources[Montage.POSTERIOR];
        double[] central = sources[Montage.CENTRAL];
        double[] frontal = sources[Montage.FRONTAL];

        alpha.tune(variation.alphaHz() + random.uniform(-0.3, 0.3), 1.5,
                stage.alphaRms * variation.alphaGain() * jitter(random));
        alpha.addTo(posterior, n, noise(e, ALPHA_NOISE));
        theta.tune(variation.thetaHz() + random.uniform(-0.5, 0.5), 2.5,
                stage.thetaRms * variation.slowGain() * jitter(random));
        theta.addTo(central, n, noise(e, THETA_NOISE));
        delta.tune(variation.deltaHz() + random.uniform(-0.2, 0.2), 1.5,
                stage.deltaRms * variation.slowGain() * jitter(random));
        delta.addTo(frontal, n, noise(e, DELTA_NOISE));
        beta.tune(variation.betaHz() + random.uniform(-1.0, 1.0), 8.0, stage.betaRms * jitter(random));
        beta.addTo(frontal, n, noise(e, BETA_NOISE));

        double minutes = n / fs / 60.0;
        int spindles = random.nextPoisson(stage.spindlesPerMinute * minutes);
        for (int i = 0; i < spindles; i++) {
            int length = (int) (random.uniform(0.5, 2.0) * fs);
            double hz = variation.spindleHz() + random.uniform(-0.5, 0.5);
            double amplitude = stage.spindleAmplitude * variation.eventGain() * jitter(random);
            double phase = random.uniform(0.0, 2.0 * StrictMath.PI);
            if (length < n) {
                Burst.add(central, fs, random.nextInt(n - length), length, hz, phase, amplitude, false);
            }
        }
        int sawtooth = random.nextPoisson(stage.sawtoothBurstsPerMinute * minutes);
        for (int i = 0; i < sawtooth; i++) {
            int length = (int) (random.uniform(1.0, 3.0) * fs);
            double hz = random.uniform(2.0, 5.0);
            double amplitude = stage.sawtoothAmplitude * variation.eventGain() * jitter(random);
            double phase = random.uniform(0.0, 2.0 * StrictMath.PI);
            if (length < n) {
                Burst.add(central, fs, random.nextInt(n - length), length, hz, phase, amplitude, true);
            }
        }
        int kComplexes = random.nextPoisson(stage.kComplexesPerMinute * minutes);
        for (int i = 0; i < kComplexes; i++) {
            double amplitude = stage.kComplexAmplitude * variation.eventGain() * jitter(random);
            if (kComplex.length < n) {
                int start = random.nextInt(n - kComplex.length);
                for (int k = 0; k < kComplex.length; k++) {
                    frontal[start + k] += amplitude * kComplex[k];
                }
            }
        }
        eyes(stage, random, n);

        for (int c = 0; c < channels; c++) {
            channel(e, c, n, out[c], base);
        }
    }

    /** Fills the eye-movement source: a gaze target, followed by the eyes, seen through AC coupling. */
    private void eyes(Stage stage, SplitMix64 random, int n) {
        double[] eye = sources[Montage.EYES];
        double gain = variation.eventGain();
        switch (stage.eyes) {
            case WAKE:
                targets(eye, n, random, random.nextPoisson(24.0 * n / fs / 60.0), 1, 60.0 * gain);
                break;
            case RAPID:
                targets(eye, n, random, random.nextPoisson(6.0 * n / fs / 60.0), 4, 90.0 * gain);
                break;
            case ROLLING: {
                double w = 2.0 * StrictMath.PI * random.uniform(0.1, 0.3) / fs;
                double cw = StrictMath.cos(w);
                double sw = StrictMath.sin(w);
                double amplitude = 45.0 * gain * jitter(random);
                double c = rollCos;
                double s = rollSin;
                for (int i = 0; i < n; i++) {
                    eye[i] = amplitude * s;
                    double next = c * cw - s * sw;
                    s = s * cw + c * sw;
                    c = next;
                }
                // Keep the phase on the unit circle so it can carry on for hours.
                double norm = StrictMath.sqrt(c * c + s * s);
                rollCos = c / norm;
                rollSin = s / norm;
                eyeTarget = eye[n - 1];
                break;
            }
            case NONE:
            default:
                Arrays.fill(eye, 0, n, 0.0);
                eyeTarget = 0.0;
                break;
        }
        // The gaze rests 1 µV off zero, which the AC coupling removes: the filter states then settle
        // near 1 rather than decaying towards 0 through subnormal doubles, which are 100 times slower.
        double position = eyePosition;
        double baseline = eyeBaseline;
        for (int i = 0; i < n; i++) {
            position += eyeFollow * (eye[i] + EYE_REST - position);
            baseline += eyeCoupling * (position - baseline);
            eye[i] = position - baseline;
        }
        eyePosition = position;
        eyeBaseline = baseline;
    }

    /**
     * Writes a piecewise-constant gaze target into {@code eye}: {@code bursts} random instants, each
     * starting {@code perBurst} saccades of alternating direction a few hundred milliseconds apart.
     */
    private void targets(double[] eye, int n, SplitMix64 random, int bursts, int perBurst, double amplitude) {
        int count = bursts * perBurst;
        long[] events = new long[count];
        double[] values = new double[count];
        int k = 0;
        for (int b = 0; b < bursts; b++) {
            int at = random.nextInt(n);
            double sign = random.nextInt(2) == 0 ? -1.0 : 1.0;
            for (int j = 0; j < perBurst; j++) {
                events[k] = ((long) Math.min(n - 1, at) << 32) | k;
                values[k] = sign * amplitude * random.uniform(0.3, 1.0);
                sign = -sign;
                at += (int) (random.uniform(0.15, 0.4) * fs);
                k++;
            }
        }
        Arrays.sort(events);
        double target = eyeTarget;
        int next = 0;
        for (int i = 0; i < n; i++) {
            while (next < count && (int) (events[next] >>> 32) == i) {
                target = values[(int) events[next]];
                next++;
            }
            eye[i] = target;
        }
        eyeTarget = target;
    }

    /** Builds channel {@code c} of epoch {@code e} and quantises it into {@code out[base, base + n)}. */
    private void channel(int e, int c, int n, short[] out, int base) {
        double[] buf = buffer;
        double p0 = pinkPole[0];
        double p1 = pinkPole[1];
        double p2 = pinkPole[2];
        double g0 = PINK_WEIGHTS[0];
        double g1 = PINK_WEIGHTS[1];
        double g2 = PINK_WEIGHTS[2];
        double gd = PINK_DIRECT;
        double scale = pinkScale[c];
        int s = 3 * c;
        double b0 = pinkState[s];
        double b1 = pinkState[s + 1];
        double b2 = pinkState[s + 2];
        long counter = noise(e, CHANNEL_NOISE + c);
        for (int i = 0; i < n; i++) {
            long z = SplitMix64.mix(counter += SplitMix64.GOLDEN);
            double x = ((int) z + (int) (z >>> 32)) * 0x1.0p-32;
            b0 = p0 * b0 + g0 * x;
            b1 = p1 * b1 + g1 * x;
            b2 = p2 * b2 + g2 * x;
            buf[i] = scale * (b0 + b1 + b2 + gd * x);
        }
        pinkState[s] = b0;
        pinkState[s + 1] = b1;
        pinkState[s + 2] = b2;

        if (emgScale[c] != 0.0) {
            double amplitude = plan.stageAt(e).emgRms * emgScale[c];
            double last = emgLast[c];
            counter = noise(e, EMG_NOISE + c);
            for (int i = 0; i < n; i++) {
                long z = SplitMix64.mix(counter += SplitMix64.GOLDEN);
                double x = ((int) z + (int) (z >>> 32)) * 0x1.0p-32;
                buf[i] += amplitude * (x - last);
                last = x;
            }
            emgLast[c] = last;
        }

        double[] w = weights[c];
        double w0 = w[0];
        double w1 = w[1];
        double w2 = w[2];
        double w3 = w[3];
        double[] s0 = sources[0];
        double[] s1 = sources[1];
        double[] s2 = sources[2];
        double[] s3 = sources[3];
        double k = steps[c];
        double off = offsetSteps;
        for (int i = 0; i < n; i++) {
            double v = (buf[i] + w0 * s0[i] + w1 * s1[i] + w2 * s2[i] + w3 * s3[i]) * k - off;
            v = v < -32767.0 ? -32767.0 : v > 32767.0 ? 32767.0 : v;
            out[base + i] = (short) ((int) (v + 32768.5) - 32768);
        }
    }

    /** Returns the first noise counter of the stream {@code id} of epoch {@code e}. */
    private long noise(int e, long id) {
        return SplitMix64.key(seed, RecordingPlan.NOISE_STREAM, plan.index(), e, id);
    }

    /** Returns a log-normal factor around 1 for epoch-to-epoch variation. */
    private static double jitter(SplitMix64 random) {
        return StrictMath.exp(JITTER * random.nextGaussian());
    }

    /**
     * Returns the stationary variance of the pink-noise filter's output: for one-pole filters
     * {@code y_i = p_i y_i + g_i x} summed with {@code g_d x}, the covariance of {@code y_i} and
     * {@code y_j} is {@code g_i g_j var(x) / (1 - p_i p_j)}.
     */
    private static double pinkVariance(double[] pinkPole) {
        double sum = PINK_DIRECT * PINK_DIRECT;
        for (int i = 0; i < 3; i++) {
            sum += 2.0 * PINK_WEIGHTS[i] * PINK_DIRECT;
            for (int j = 0; j < 3; j++) {
                sum += PINK_WEIGHTS[i] * PINK_WEIGHTS[j] / (1.0 - pinkPole[i] * pinkPole[j]);
            }
        }
        return NOISE_VARIANCE * sum;
    }

    /** A K-complex 1.2 s long: a sharp negative wave and a slower positive one, negative peak -1. */
    private static double[] kComplexTemplate(double fs) {
        double[] t = new double[(int) (1.2 * fs)];
        for (int i = 0; i < t.length; i++) {
            double s = i / fs;
            double a = (s - 0.35) / 0.12;
            double b = (s - 0.75) / 0.17;
            t[i] = -StrictMath.exp(-a * a) + 0.55 * StrictMath.exp(-b * b);
        }
        return t;
    }
}
