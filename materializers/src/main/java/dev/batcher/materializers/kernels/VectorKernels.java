package dev.batcher.materializers.kernels;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.slf4j.LoggerFactory;

/**
 * The Vector API path. Every kernel is elementwise across lanes (so the hardware width cannot
 * change a result) except the reductions of {@link #normalize}, which use a fixed logical width of
 * eight double lanes (two 256-bit double vectors) whatever the hardware offers. Each vector
 * operation is a separately rounded IEEE operation, the same ones in the same order as {@link
 * ScalarKernels}; no fused multiply-add. Vectors are kept in locals (never in arrays, which box
 * them). Tails shorter than a vector run the scalar formula, which is the same arithmetic.
 *
 * <h2>Keeping C2 on vector instructions</h2>
 *
 * A Vector API call is fast only if C2 inlines it down to its intrinsic with the vector class as a
 * constant; otherwise the API's Java fallback runs ({@code Float512Vector.bOp}, {@code stOp} and
 * friends), several times slower than the scalar path. The API dispatches on the receiver: {@code
 * v.add(w)} calls {@code lanewise} on {@code v}, {@code v.intoArray(a, i)} calls {@code
 * v.vspecies()}. On JDK 17, when C2 parses a kernel, a vector fresh from {@code fromArray}, {@code
 * broadcast} or a conversion, or carried round a loop, has the static type {@code FloatVector}, not
 * its final class, so C2 takes the class from the type profile inside the JDK method, which every
 * caller in the process shares and which the fallbacks feed before anything is compiled (a
 * conversion's fallback calls {@code toArray}, hence {@code intoArray}, on its input, such as the
 * 128-bit floats of {@link #normalize}). With two classes in the profile C2 inlines both; once the
 * compilation has met {@code PerMethodTrapLimit} (100) class-check traps, summed over every inlined
 * copy of helpers like {@code VectorOperators.opKind} whose trap counts depend on what the JVM
 * deoptimised earlier, it backs even a single guess with a virtual call instead of a trap. Either
 * way the class after the call is a merge of two, and the intrinsics that need it constant give up
 * (in the JFR samples: the fallbacks under {@code combine} and {@code normalize}). Which of that
 * happened depended on timing: measured on 2026-11-22, the resample-and-normalise path was fast in
 * some fresh JVMs and 3-10x slower than scalar in others, at 256 bits as at 512 (see {@code
 * docs/benchmarks.md}).
 *
 * <p>So every vector goes through {@link #f}, {@link #f4}, {@link #d} or {@link #s} before it is
 * the receiver of a call: {@code Class.cast} with a constant class, which C2 compiles into a cast to
 * the (final) vector class. Every call then binds statically and no compilation depends on profiles
 * or trap counts. Results of arithmetic need no cast (the concrete {@code lanewise} casts its result
 * to its own class); loads, broadcasts, conversions and loop variables do. The long loops (the FIR
 * and long montage rows, the passes of {@link #normalize}) are methods of their own with at most
 * four accumulators, so that no compilation nears C2's {@code NodeCountInliningCutoff} (18000 nodes
 * while parsing; the FIR's block loop with eight accumulators reached it, after which C2 stops
 * inlining methods such as {@link #f}).
 *
 * <p>Loading this class needs the {@code jdk.incubator.vector} module; {@link Kernels} only touches
 * it on the vector path.
 */
final class VectorKernels {
    /**
     * The float species: the preferred one (512 bits on AVX-512), or the width named by {@value
     * Kernels#BITS_PROPERTY}. Not 256 bits by default on AVX-512: with the casts below, 256 bits was
     * slower here (decode 0.74-0.76x of {@code System.arraycopy} against 0.87-0.89x, the FIR and the
     * montage 15-20% slower; 2026-11-22), and without them it was as unreliable as 512.
     */
    static final VectorSpecies<Float> F = floatSpecies();
    /** Shorts with the same lane count as {@link #F}, for the int16 decode. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Shorts as wide as {@link #F}, and bytes with their lane count, for the unshuffle (byte planes to int16). */
    static final VectorSpecies<Short> US = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize()));
    static final VectorSpecies<Byte> UB = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Four floats, widened to {@link #D} for the reductions. */
    static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    /** Four doubles: two of them make the eight logical lanes of the reductions. */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    /** The final classes of the species' vectors (not public), for the casts; see the class comment. */
    private static final Class<? extends Vector<Float>> F_CLASS = F.vectorType();
    private static final Class<? extends Vector<Float>> F4_CLASS = F4.vectorType();
    private static final Class<? extends Vector<Double>> D_CLASS = D.vectorType();
    private static final Class<? extends Vector<Short>> S_CLASS = S.vectorType();
    private static final Class<? extends Vector<Short>> US_CLASS = US.vectorType();
    private static final Class<? extends Vector<Byte>> UB_CLASS = UB.vectorType();

    private static final int V = F.length();

    private VectorKernels() {}

    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty(Kernels.BITS_PROPERTY);
        if (bits == null || bits.isBlank()) {
            VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
            // The int16 decode needs a short vector of half the width; 64-bit floats have none.
            return preferred.vectorBitSize() < 128 ? FloatVector.SPECIES_128 : preferred;
        }
        switch (bits.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            default:
                LoggerFactory.getLogger(VectorKernels.class).warn("ignoring {}: {} (expected: 128, 256 or 512)",
                        Kernels.BITS_PROPERTY, bits);
                return FloatVector.SPECIES_PREFERRED.vectorBitSize() < 128
                        ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
        }
    }

    static int bits() {
        return F.vectorBitSize();
    }

    static void unshuffle16(byte[] src, int lowOff, int highOff, short[] dst, int dstOff, int n) {
        int lanes = US.length();
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            ShortVector low = us(ub(ByteVector.fromArray(UB, src, lowOff + i)).convertShape(VectorOperators.B2S, US, 0));
            ShortVector high = us(ub(ByteVector.fromArray(UB, src, highOff + i)).convertShape(VectorOperators.B2S, US, 0));
            low.and((short) 0xff).or(high.lanewise(VectorOperators.LSHL, 8)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = (short) ((src[lowOff + i] & 0xff) | (src[highOff + i] << 8));
        }
    }

    static void decode(short[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        FloatVector sc = f(FloatVector.broadcast(F, scale));
        FloatVector of = f(FloatVector.broadcast(F, offset));
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            int s = srcOff + i;
            int d = dstOff + i;
            FloatVector a = f(s(ShortVector.fromArray(S, src, s)).convertShape(VectorOperators.S2F, F, 0));
            FloatVector b = f(s(ShortVector.fromArray(S, src, s + V)).convertShape(VectorOperators.S2F, F, 0));
            FloatVector c = f(s(ShortVector.fromArray(S, src, s + 2 * V)).convertShape(VectorOperators.S2F, F, 0));
            FloatVector e = f(s(ShortVector.fromArray(S, src, s + 3 * V)).convertShape(VectorOperators.S2F, F, 0));
            a.mul(sc).add(of).intoArray(dst, d);
            b.mul(sc).add(of).intoArray(dst, d + V);
            c.mul(sc).add(of).intoArray(dst, d + 2 * V);
            e.mul(sc).add(of).intoArray(dst, d + 3 * V);
        }
        for (; i <= n - V; i += V) {
            FloatVector a = f(s(ShortVector.fromArray(S, src, srcOff + i)).convertShape(VectorOperators.S2F, F, 0));
            a.mul(sc).add(of).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = (float) src[srcOff + i] * scale + offset;
        }
    }

    static void decode(float[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        FloatVector sc = f(FloatVector.broadcast(F, scale));
        FloatVector of = f(FloatVector.broadcast(F, offset));
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            int s = srcOff + i;
            int d = dstOff + i;
            FloatVector a = f(FloatVector.fromArray(F, src, s));
            FloatVector b = f(FloatVector.fromArray(F, src, s + V));
            FloatVector c = f(FloatVector.fromArray(F, src, s + 2 * V));
            FloatVector e = f(FloatVector.fromArray(F, src, s + 3 * V));
            a.mul(sc).add(of).intoArray(dst, d);
            b.mul(sc).add(of).intoArray(dst, d + V);
            c.mul(sc).add(of).intoArray(dst, d + 2 * V);
            e.mul(sc).add(of).intoArray(dst, d + 3 * V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, src, srcOff + i)).mul(sc).add(of).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = src[srcOff + i] * scale + offset;
        }
    }

    /**
     * Rows of up to four terms (most montage derivations) run loops with the rows in locals, which
     * lets the JIT hoist the bounds checks; longer ones run {@link #combineGeneric}. The sums are
     * the same either way: left to right, in term order.
     */
    static void combine(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        switch (terms) {
            case 0:
                Arrays.fill(dst, dstOff, dstOff + n, 0f);
                return;
            case 1:
                combine1(inputs[termInputs[0]], termOffsets[0], coefficients[0], dst, dstOff, n);
                return;
            case 2:
                combine2(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1], dst, dstOff, n);
                return;
            case 3:
                combine3(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1],
                        inputs[termInputs[2]], termOffsets[2], coefficients[2], dst, dstOff, n);
                return;
            case 4:
                combine4(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1],
                        inputs[termInputs[2]], termOffsets[2], coefficients[2],
                        inputs[termInputs[3]], termOffsets[3], coefficients[3], dst, dstOff, n);
                return;
            default:
                combineGeneric(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, n);
        }
    }

    private static void combine1(float[] x0, int o0, float c0, float[] dst, int d, int n) {
        FloatVector v0 = f(FloatVector.broadcast(F, c0));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0).intoArray(dst, d + i);
            f(FloatVector.fromArray(F, x0, o0 + i + V)).mul(v0).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0;
        }
    }

    private static void combine2(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] dst, int d, int n) {
        FloatVector v0 = f(FloatVector.broadcast(F, c0));
        FloatVector v1 = f(FloatVector.broadcast(F, c1));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1)).intoArray(dst, d + i);
            f(FloatVector.fromArray(F, x0, o0 + i + V)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i + V)).mul(v1)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1;
        }
    }

    private static void combine3(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] x2, int o2, float c2, float[] dst, int d, int n) {
        FloatVector v0 = f(FloatVector.broadcast(F, c0));
        FloatVector v1 = f(FloatVector.broadcast(F, c1));
        FloatVector v2 = f(FloatVector.broadcast(F, c2));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i)).mul(v2)).intoArray(dst, d + i);
            f(FloatVector.fromArray(F, x0, o0 + i + V)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i + V)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i + V)).mul(v2)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i)).mul(v2)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1 + x2[o2 + i] * c2;
        }
    }

    private static void combine4(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] x2, int o2, float c2, float[] x3, int o3, float c3, float[] dst, int d, int n) {
        FloatVector v0 = f(FloatVector.broadcast(F, c0));
        FloatVector v1 = f(FloatVector.broadcast(F, c1));
        FloatVector v2 = f(FloatVector.broadcast(F, c2));
        FloatVector v3 = f(FloatVector.broadcast(F, c3));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i)).mul(v2))
                    .add(f(FloatVector.fromArray(F, x3, o3 + i)).mul(v3)).intoArray(dst, d + i);
            f(FloatVector.fromArray(F, x0, o0 + i + V)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i + V)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i + V)).mul(v2))
                    .add(f(FloatVector.fromArray(F, x3, o3 + i + V)).mul(v3)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, x0, o0 + i)).mul(v0)
                    .add(f(FloatVector.fromArray(F, x1, o1 + i)).mul(v1))
                    .add(f(FloatVector.fromArray(F, x2, o2 + i)).mul(v2))
                    .add(f(FloatVector.fromArray(F, x3, o3 + i)).mul(v3)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1 + x2[o2 + i] * c2 + x3[o3 + i] * c3;
        }
    }

    /**
     * Sample-major: for each block of four vectors the accumulators stay in registers while the
     * terms are added in order; then single vectors; then the scalar tail. The vector loops are
     * methods of their own so that each C2 compilation stays small (see the class comment).
     */
    private static void combineGeneric(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        int i = combineBlocks(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, n);
        i = combineVectors(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, i, n);
        for (; i < n; i++) {
            float acc = inputs[termInputs[0]][termOffsets[0] + i] * coefficients[0];
            for (int t = 1; t < terms; t++) {
                acc = acc + inputs[termInputs[t]][termOffsets[t] + i] * coefficients[t];
            }
            dst[dstOff + i] = acc;
        }
    }

    /** The blocks of {@code 4 * V} elements of {@link #combineGeneric}; returns the first element after them. */
    private static int combineBlocks(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            float[] x = inputs[termInputs[0]];
            int o = termOffsets[0] + i;
            FloatVector c = f(FloatVector.broadcast(F, coefficients[0]));
            FloatVector a0 = f(FloatVector.fromArray(F, x, o)).mul(c);
            FloatVector a1 = f(FloatVector.fromArray(F, x, o + V)).mul(c);
            FloatVector a2 = f(FloatVector.fromArray(F, x, o + 2 * V)).mul(c);
            FloatVector a3 = f(FloatVector.fromArray(F, x, o + 3 * V)).mul(c);
            for (int t = 1; t < terms; t++) {
                x = inputs[termInputs[t]];
                o = termOffsets[t] + i;
                c = f(FloatVector.broadcast(F, coefficients[t]));
                a0 = f(a0).add(f(FloatVector.fromArray(F, x, o)).mul(c));
                a1 = f(a1).add(f(FloatVector.fromArray(F, x, o + V)).mul(c));
                a2 = f(a2).add(f(FloatVector.fromArray(F, x, o + 2 * V)).mul(c));
                a3 = f(a3).add(f(FloatVector.fromArray(F, x, o + 3 * V)).mul(c));
            }
            int d = dstOff + i;
            f(a0).intoArray(dst, d);
            f(a1).intoArray(dst, d + V);
            f(a2).intoArray(dst, d + 2 * V);
            f(a3).intoArray(dst, d + 3 * V);
        }
        return i;
    }

    /** Single vectors of {@link #combineGeneric} from element {@code i} on; returns the first element after them. */
    private static int combineVectors(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int i, int n) {
        for (; i <= n - V; i += V) {
            FloatVector a = f(FloatVector.fromArray(F, inputs[termInputs[0]], termOffsets[0] + i))
                    .mul(f(FloatVector.broadcast(F, coefficients[0])));
            for (int t = 1; t < terms; t++) {
                a = f(a).add(f(FloatVector.fromArray(F, inputs[termInputs[t]], termOffsets[t] + i))
                        .mul(f(FloatVector.broadcast(F, coefficients[t]))));
            }
            f(a).intoArray(dst, dstOff + i);
        }
        return i;
    }

    /**
     * One input row with per-term offsets (a FIR filter): the row stays in a local for the whole
     * call, so the JIT hoists its bounds checks; four accumulators per block, terms in order. Split
     * into methods like {@link #combineGeneric}.
     */
    static void combine(float[] x, int[] termOffsets, float[] coefficients, int terms, float[] dst, int dstOff,
            int n) {
        if (terms == 0) {
            Arrays.fill(dst, dstOff, dstOff + n, 0f);
            return;
        }
        int i = firBlocks(x, termOffsets, coefficients, terms, dst, dstOff, n);
        i = firVectors(x, termOffsets, coefficients, terms, dst, dstOff, i, n);
        for (; i < n; i++) {
            float acc = x[termOffsets[0] + i] * coefficients[0];
            for (int t = 1; t < terms; t++) {
                acc = acc + x[termOffsets[t] + i] * coefficients[t];
            }
            dst[dstOff + i] = acc;
        }
    }

    /** The blocks of {@code 4 * V} outputs of the FIR; returns the first output after them. */
    private static int firBlocks(float[] x, int[] termOffsets, float[] coefficients, int terms, float[] dst,
            int dstOff, int n) {
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            int o = termOffsets[0] + i;
            FloatVector c = f(FloatVector.broadcast(F, coefficients[0]));
            FloatVector a0 = f(FloatVector.fromArray(F, x, o)).mul(c);
            FloatVector a1 = f(FloatVector.fromArray(F, x, o + V)).mul(c);
            FloatVector a2 = f(FloatVector.fromArray(F, x, o + 2 * V)).mul(c);
            FloatVector a3 = f(FloatVector.fromArray(F, x, o + 3 * V)).mul(c);
            for (int t = 1; t < terms; t++) {
                o = termOffsets[t] + i;
                c = f(FloatVector.broadcast(F, coefficients[t]));
                a0 = f(a0).add(f(FloatVector.fromArray(F, x, o)).mul(c));
                a1 = f(a1).add(f(FloatVector.fromArray(F, x, o + V)).mul(c));
                a2 = f(a2).add(f(FloatVector.fromArray(F, x, o + 2 * V)).mul(c));
                a3 = f(a3).add(f(FloatVector.fromArray(F, x, o + 3 * V)).mul(c));
            }
            int d = dstOff + i;
            f(a0).intoArray(dst, d);
            f(a1).intoArray(dst, d + V);
            f(a2).intoArray(dst, d + 2 * V);
            f(a3).intoArray(dst, d + 3 * V);
        }
        return i;
    }

    /** Single vectors of the FIR from output {@code i} on; returns the first output after them. */
    private static int firVectors(float[] x, int[] termOffsets, float[] coefficients, int terms, float[] dst,
            int dstOff, int i, int n) {
        for (; i <= n - V; i += V) {
            FloatVector a = f(FloatVector.fromArray(F, x, termOffsets[0] + i))
                    .mul(f(FloatVector.broadcast(F, coefficients[0])));
            for (int t = 1; t < terms; t++) {
                a = f(a).add(f(FloatVector.fromArray(F, x, termOffsets[t] + i))
                        .mul(f(FloatVector.broadcast(F, coefficients[t]))));
            }
            f(a).intoArray(dst, dstOff + i);
        }
        return i;
    }

    static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector av = f(FloatVector.broadcast(F, a));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector y0 = f(FloatVector.fromArray(F, y, yOff + i));
            FloatVector y1 = f(FloatVector.fromArray(F, y, yOff + i + V));
            y0.add(f(FloatVector.fromArray(F, x, xOff + i)).mul(av)).intoArray(y, yOff + i);
            y1.add(f(FloatVector.fromArray(F, x, xOff + i + V)).mul(av)).intoArray(y, yOff + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, y, yOff + i)).add(f(FloatVector.fromArray(F, x, xOff + i)).mul(av))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = y[yOff + i] + x[xOff + i] * a;
        }
    }

    /**
     * Three passes, each a method of its own: the mean, the sum of squares, the update. {@code lanes}
     * receives the eight lane sums of each reduction.
     */
    static void normalize(float[] data, int off, int n) {
        double[] lanes = new double[Normalization.LANES];
        double mean = sum(data, off, n, lanes) / n;
        float invStd = Normalization.inverseStd(squares(data, off, n, mean, lanes), n);
        if (invStd == 0f) {
            Arrays.fill(data, off, off + n, 0f);
            return;
        }
        scale(data, off, n, (float) mean, invStd);
    }

    /**
     * The sum of the channel: lane j of the eight logical lanes (0-3 in {@code lo}, 4-7 in {@code
     * hi}) takes elements {@code 8k + j}, as in {@link ScalarKernels#normalize}; then the fixed
     * combination, then the remaining elements in order.
     */
    private static double sum(float[] data, int off, int n, double[] lanes) {
        int blocks = n & ~(Normalization.LANES - 1);
        DoubleVector lo = d(DoubleVector.zero(D));
        DoubleVector hi = d(DoubleVector.zero(D));
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            lo = d(lo).add(widen(data, off + i));
            hi = d(hi).add(widen(data, off + i + 4));
        }
        d(lo).intoArray(lanes, 0);
        d(hi).intoArray(lanes, 4);
        double sum = Normalization.combine(lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7]);
        for (int i = blocks; i < n; i++) {
            sum += data[off + i];
        }
        return sum;
    }

    /** The sum of {@code ((double) x - mean)^2}, in the lane order of {@link #sum}. */
    private static double squares(float[] data, int off, int n, double mean, double[] lanes) {
        int blocks = n & ~(Normalization.LANES - 1);
        DoubleVector mv = d(DoubleVector.broadcast(D, mean));
        DoubleVector lo = d(DoubleVector.zero(D));
        DoubleVector hi = d(DoubleVector.zero(D));
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            DoubleVector d0 = widen(data, off + i).sub(mv);
            DoubleVector d1 = widen(data, off + i + 4).sub(mv);
            lo = d(lo).add(d0.mul(d0));
            hi = d(hi).add(d1.mul(d1));
        }
        d(lo).intoArray(lanes, 0);
        d(hi).intoArray(lanes, 4);
        double squares = Normalization.combine(lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6],
                lanes[7]);
        for (int i = blocks; i < n; i++) {
            double d = data[off + i] - mean;
            squares += d * d;
        }
        return squares;
    }

    /** Four floats from {@code data[p]} on, widened to doubles. */
    private static DoubleVector widen(float[] data, int p) {
        return d(f4(FloatVector.fromArray(F4, data, p)).convertShape(VectorOperators.F2D, D, 0));
    }

    /** {@code x = (x - m) * invStd} in float. */
    private static void scale(float[] data, int off, int n, float m, float invStd) {
        FloatVector mf = f(FloatVector.broadcast(F, m));
        FloatVector sf = f(FloatVector.broadcast(F, invStd));
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector a = f(FloatVector.fromArray(F, data, off + i));
            FloatVector b = f(FloatVector.fromArray(F, data, off + i + V));
            a.sub(mf).mul(sf).intoArray(data, off + i);
            b.sub(mf).mul(sf).intoArray(data, off + i + V);
        }
        for (; i <= n - V; i += V) {
            f(FloatVector.fromArray(F, data, off + i)).sub(mf).mul(sf).intoArray(data, off + i);
        }
        for (; i < n; i++) {
            data[off + i] = (data[off + i] - m) * invStd;
        }
    }

    /*
     * The casts (see the class comment). C2 folds the check itself once it has proved the class, as
     * it does for the loop variables above, whose values all come from arithmetic on cast vectors.
     */

    /** {@code v} as an instance of {@link #F}'s vector class. */
    private static FloatVector f(Vector<Float> v) {
        return (FloatVector) F_CLASS.cast(v);
    }

    /** {@code v} as an instance of {@link #F4}'s vector class. */
    private static FloatVector f4(Vector<Float> v) {
        return (FloatVector) F4_CLASS.cast(v);
    }

    /** {@code v} as an instance of {@link #D}'s vector class. */
    private static DoubleVector d(Vector<Double> v) {
        return (DoubleVector) D_CLASS.cast(v);
    }

    /** {@code v} as an instance of {@link #S}'s vector class. */
    private static ShortVector s(Vector<Short> v) {
        return (ShortVector) S_CLASS.cast(v);
    }

    /** {@code v} as an instance of {@link #US}'s vector class. */
    private static ShortVector us(Vector<Short> v) {
        return (ShortVector) US_CLASS.cast(v);
    }

    /** {@code v} as an instance of {@link #UB}'s vector class. */
    private static ByteVector ub(Vector<Byte> v) {
        return (ByteVector) UB_CLASS.cast(v);
    }
}
