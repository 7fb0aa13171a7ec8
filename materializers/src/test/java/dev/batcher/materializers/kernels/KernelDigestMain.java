package dev.batcher.materializers.kernels;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Prints a SHA-256 of the outputs of every kernel on fixed pseudo-random data, for the vector and
 * the scalar path, so that a test can compare the digests of different JVMs and vector widths. Run
 * by {@link CrossJvmDigestTest} in a child JVM; {@link java.util.Random} is fully specified, so the
 * inputs are the same everywhere.
 */
public final class KernelDigestMain {
    private KernelDigestMain() {}

    /**
     * Prints {@code vector <hex>}, {@code scalar <hex>} and {@code info <java.version> <kernels>}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("vector " + digest(Kernels.vector()));
        System.out.println("scalar " + digest(Kernels.scalar()));
        System.out.println("info " + System.getProperty("java.version") + " " + Kernels.vector());
    }

    /** Returns the hex SHA-256 of all kernel outputs computed with {@code k}. */
    static String digest(Kernels k) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        Random random = new Random(20240611L);
        for (int n : new int[] {0, 1, 7, 63, 65, 1001, 7680}) {
            short[] shorts = new short[n + 3];
            for (int i = 0; i < shorts.length; i++) {
                shorts[i] = (short) random.nextInt();
            }
            float[] out = new float[n + 5];
            k.decode(shorts, 3, out, 5, n, 0.195f, -12.5f);
            update(sha, out);

            float[] floats = floats(random, n + 2);
            k.decode(floats, 2, out, 1, n, -3.3e-3f, 0.25f);
            update(sha, out);

            float[][] rows = new float[5][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = floats(random, n + 4);
            }
            int[] inputs = {3, 0, 4, 1, 3, 2};
            int[] offsets = {0, 1, 2, 3, 4, 0};
            float[] coefficients = {0.5f, -1f, 1f / 3, 2.75f, -0.125f, 1e-3f};
            for (int terms = 0; terms <= inputs.length; terms++) {
                k.combine(rows, inputs, offsets, coefficients, terms, out, 2, n);
                update(sha, out);
            }

            for (int terms = 0; terms <= inputs.length; terms++) {
                k.combine(rows[4], offsets, coefficients, terms, out, 3, n);
                update(sha, out);
            }

            float[] y = floats(random, n);
            k.axpy(-0.7f, floats, 1, y, 0, n);
            update(sha, y);

            float[] data = floats(random, n + 1);
            for (int i = 0; i < data.length; i++) {
                data[i] = data[i] * 40 + 1000;
            }
            k.normalize(data, 1, n);
            update(sha, data);
        }
        for (double[] rates : new double[][] {{256, 128}, {256, 100}, {100, 256}, {200, 300}}) {
            Resampler resampler = Resampler.of(rates[0], rates[1]);
            float[] in = floats(random, 1999);
            float[] out = new float[resampler.outputLength(1999)];
            resampler.apply(k, in, 0, in.length, out, 0);
            update(sha, out);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Uniform floats in [-1, 1) with a sprinkling of special values. */
    static float[] floats(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextFloat() * 2 - 1;
        }
        if (n > 10) {
            a[n / 3] = 0f;
            a[n / 2] = -0f;
            a[n / 5] = Float.MIN_VALUE;
            a[n / 7] = 1e30f;
        }
        return a;
    }

    private static void update(MessageDigest sha, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4);
        for (float v : values) {
            bytes.putInt(Float.floatToRawIntBits(v));
        }
        sha.update(bytes.array());
    }
}
