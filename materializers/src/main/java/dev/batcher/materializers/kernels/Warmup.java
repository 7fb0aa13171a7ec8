package dev.batcher.materializers.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Runs the hot per-sample code of a batch on synthetic windows until the JIT has compiled it, so that
 * a fresh JVM (a worker process that just started) serves its first batches at full speed instead of
 * through the interpreted fallbacks of the Vector API.
 *
 * <p>Why it matters: until C2 compiles them, the {@code jdk.incubator.vector} kernels run their Java
 * fallback code, many times slower than the scalar loops. A daemon that materialises on two threads
 * reaches the compile thresholds twice as fast as each of two one-slot worker processes, whose JIT
 * threads also compete for the same cores; profiles of fresh workers (docs/benchmarks.md) showed their
 * samples in {@code FloatVector.bOpTemplate}, {@code ldOp} and {@code ShortVector.toArray}, the
 * fallbacks, for their first hundreds of batches.
 *
 * <p>What it runs, per round, on one 8 x 7680 window: the little-endian {@code int16} bulk read of the
 * contiguous read path, {@link Kernels#decode(short[], int, float[], int, int, float, float) decode},
 * a two-term {@link Kernels#combine(float[][], int[], int[], float[], int, float[], int, int) combine}
 * (montage), {@link Kernels#axpy axpy}, {@link Kernels#normalize normalize}, a 256 to 128 Hz
 * {@link Resampler} (once per round of four windows) and the little-endian float bulk write of a batch into its buffer.
 */
public final class Warmup {
    private static final int CHANNELS = 8;
    private static final int SAMPLES = 7680;
    /** The system property holding the warm-up budget in milliseconds that {@code serve} passes to its workers. */
    public static final String BUDGET_PROPERTY = "batcher.warmup.ms";
    /** Rounds at least, and the run of rounds in a row that look compiled that ends the warm-up. */
    private static final int MIN_ROUNDS = 75;
    /** Windows per round: the resampler, the costliest kernel, runs once a round. */
    private static final int WINDOWS_PER_ROUND = 4;
    private static final int FAST_IN_A_ROW = 20;

    private static final int[] TERM_INPUTS = {0, 1};
    private static final int[] TERM_OFFSETS = {0, 0};
    private static final float[] COEFFICIENTS = {1f, -1f};

    private Warmup() {}

    /**
     * Runs rounds until the kernels are compiled or {@code budget} has passed: at least {@value #MIN_ROUNDS}
     * rounds, the last {@value #FAST_IN_A_ROW} of them each running a window within twice the time the
     * scalar kernels take for it in the same round (the yardstick: compiled, the Vector API beats them;
     * not yet compiled by C2, it runs its fallbacks, many times slower).
     *
     * @param kernels the kernels the JVM will use
     * @param budget the most time to spend; zero runs nothing
     * @return the rounds run
     * @throws IllegalArgumentException if {@code budget} is negative
     */
    public static int run(Kernels kernels, Duration budget) {
        return run(kernels, budget, System::nanoTime);
    }

    static int run(Kernels kernels, Duration budget, LongSupplier nanoTime) {
        Objects.requireNonNull(kernels, "kernels");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget: " + budget + " (expected: >= 0)");
        }
        if (budget.isZero()) {
            return 0;
        }
        long deadline = nanoTime.getAsLong() + budget.toNanos();
        ByteBuffer stored = ByteBuffer.allocateDirect(CHANNELS * SAMPLES * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer storedShorts = stored.asShortBuffer();
        for (int i = 0; i < CHANNELS * SAMPLES; i++) {
            storedShorts.put(i, (short) ((i * 31) % 600 - 300));
        }
        byte[] shuffled = new byte[CHANNELS * SAMPLES * Short.BYTES]; // the byte planes of a shuffled chunk
        for (int i = 0; i < CHANNELS * SAMPLES; i++) {
            short v = storedShorts.get(i);
            shuffled[i] = (byte) v;
            shuffled[CHANNELS * SAMPLES + i] = (byte) (v >> 8);
        }
        ByteBuffer batch = ByteBuffer.allocateDirect(CHANNELS * SAMPLES * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = batch.asFloatBuffer();
        short[][] rows = new short[CHANNELS][SAMPLES];
        float[][] decoded = new float[CHANNELS][SAMPLES];
        float[] derived = new float[SAMPLES];
        Resampler half = Resampler.of(256, 128);
        float[] resampled = new float[half.outputLength(SAMPLES)];
        Kernels yardstick = Kernels.scalar();
        double sink = 0;
        int rounds = 0;
        int fastInARow = 0;
        while (nanoTime.getAsLong() < deadline && (rounds < MIN_ROUNDS || fastInARow < FAST_IN_A_ROW)) {
            long t0 = nanoTime.getAsLong();
            for (int w = 0; w < WINDOWS_PER_ROUND; w++) {
                window(kernels, storedShorts, shuffled, rows, decoded, derived, out);
            }
            long t1 = nanoTime.getAsLong();
            window(yardstick, storedShorts, shuffled, rows, decoded, derived, out);
            long t2 = nanoTime.getAsLong();
            half.apply(kernels, derived, 0, SAMPLES, resampled, 0); // the costliest kernel: once per round
            sink += out.get(rounds % out.capacity()) + resampled[rounds % resampled.length];
            rounds++;
            // Compiled by C2, the kernels run a window at least as fast as the scalar loops; interpreted or
            // compiled by C1 (no intrinsics), the Vector API runs its fallbacks, many times slower than them.
            boolean compiled = (t1 - t0) <= 2 * WINDOWS_PER_ROUND * (t2 - t1);
            fastInARow = compiled ? fastInARow + 1 : 0;
        }
        if (sink == 42.4242) {
            // Keeps the results alive so the JIT cannot drop the work; never true for these inputs.
            throw new AssertionError(sink);
        }
        return rounds;
    }

    /** One window: the int16 bulk read, decode, a montage derivation, normalisation and the float bulk write. */
    private static void window(Kernels kernels, ShortBuffer stored, byte[] shuffled, short[][] rows, float[][] decoded,
            float[] derived, FloatBuffer out) {
        for (int c = 0; c < CHANNELS; c++) {
            stored.get(c * SAMPLES, rows[c], 0, SAMPLES);
            kernels.unshuffle16(shuffled, c * SAMPLES, (CHANNELS + c) * SAMPLES, rows[c], 0, SAMPLES);
            kernels.decode(rows[c], 0, decoded[c], 0, SAMPLES, 0.1f, 0f);
        }
        kernels.combine(decoded, TERM_INPUTS, TERM_OFFSETS, COEFFICIENTS, 2, derived, 0, SAMPLES);
        kernels.axpy(0.5f, decoded[2], 0, derived, 0, SAMPLES);
        kernels.normalize(derived, 0, SAMPLES);
        for (int c = 0; c < CHANNELS; c++) {
            out.put(c * SAMPLES, decoded[c], 0, SAMPLES);
        }
    }
}
