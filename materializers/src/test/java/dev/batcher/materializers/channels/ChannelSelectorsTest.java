package dev.batcher.materializers.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.ChannelSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R032Store;
import org.ojalgo.matrix.store.R064Store;

/** The built-in selectors, montage numerics against ojalgo, the ServiceLoader SPI and the cache. */
class ChannelSelectorsTest {
    private static final List<String> CHANNELS = List.of("Fp1", "Fp2", "C3", "C4", "Cz", "M1", "M2", "O1");
    private static final Kernels K = Kernels.vector();

    private final SplittableRandom random = new SplittableRandom(11);

    /** Decodes nothing: channel c's sample i is 1000 * c + i, so every copy is recognisable. */
    private static float[][] ramps(int[] inputs, int samples) {
        float[][] rows = new float[inputs.length][samples];
        for (int i = 0; i < inputs.length; i++) {
            for (int s = 0; s < samples; s++) {
                rows[i][s] = 1000f * inputs[i] + s;
            }
        }
        return rows;
    }

    private float[][] gaussians(int rows, int samples) {
        float[][] a = new float[rows][samples];
        for (float[] row : a) {
            for (int s = 0; s < samples; s++) {
                row[s] = (float) (random.nextGaussian() * 50);
            }
        }
        return a;
    }

    private static float[] run(ChannelPlan plan, Kernels k, float[][] inputs, int samples) {
        float[] out = new float[plan.outputChannels() * samples];
        plan.apply(k, inputs, out, 0, samples);
        return out;
    }

    @Test
    void plan_all_copiesEveryChannelInOrder() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.all(), CHANNELS);
        assertEquals(CHANNELS, plan.outputNames());
        assertEquals(8, plan.outputChannels());
        assertArrayEquals(IntStream.range(0, 8).toArray(), plan.inputs());
        float[] out = run(plan, K, ramps(plan.inputs(), 3), 3);
        assertEquals(7002f, out[7 * 3 + 2]);
        assertEquals(1000f, out[3]);
    }

    @Test
    void plan_allWithArguments_throws() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("all:C3"), CHANNELS));
        assertTrue(e.getMessage().startsWith("selector 'all' takes no arguments"), e.getMessage());
    }

    @Test
    void plan_names_selectsInGivenOrderAndReadsOnlyThoseAscending() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("names:M2,C3,M2"), CHANNELS);
        assertEquals(List.of("M2", "C3", "M2"), plan.outputNames());
        assertArrayEquals(new int[] {2, 6}, plan.inputs());
        float[] out = run(plan, K, ramps(plan.inputs(), 2), 2);
        assertArrayEquals(new float[] {6000f, 6001f, 2000f, 2001f, 6000f, 6001f}, out);
    }

    @Test
    void plan_namesMissingChannel_throwsNamingChannelAndAvailable() {
        ChannelSelection selection = ChannelSelection.parse("names:C3,C9");
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(selection, CHANNELS));
        assertEquals("channel 'C9' not found (selection names:C3,C9; available channels: "
                + "[Fp1, Fp2, C3, C4, Cz, M1, M2, O1])", e.getMessage());
        assertEquals(Optional.of("C9"), e.channel());
        assertEquals(selection, e.selection());
        assertEquals(CHANNELS, e.availableChannels());
        assertTrue(e instanceof MaterializerException);
    }

    @Test
    void plan_namesDifferentCase_isMissing() {
        assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("names:c3"), CHANNELS));
    }

    @Test
    void plan_namesWithoutArguments_throws() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("names"), CHANNELS));
        assertTrue(e.getMessage().startsWith("selector 'names' needs arguments"), e.getMessage());
    }

    @Test
    void plan_nameTheSignalHoldsTwice_throwsAmbiguous() {
        List<String> channels = List.of("C3", "C4", "C3");
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("names:C3"), channels));
        assertTrue(e.getMessage().startsWith("channel 'C3' is ambiguous"), e.getMessage());
        assertArrayEquals(new int[] {1}, ChannelSelectors.plan(ChannelSelection.parse("names:C4"), channels).inputs());
    }

    @Test
    void plan_fill_missingChannelBecomesZeroRow() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("fill:O1,X9,Fp1"), CHANNELS);
        assertEquals(List.of("O1", "X9", "Fp1"), plan.outputNames());
        assertArrayEquals(new int[] {0, 7}, plan.inputs());
        float[] out = new float[3 * 2];
        java.util.Arrays.fill(out, -1f);
        plan.apply(K, ramps(plan.inputs(), 2), out, 0, 2);
        assertArrayEquals(new float[] {7000f, 7001f, 0f, 0f, 0f, 1f}, out);
    }

    @Test
    void plan_fillAllMissing_readsNothing() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("fill:X1,X2"), CHANNELS);
        assertArrayEquals(new int[0], plan.inputs());
        float[] out = run(plan, K, new float[0][], 4);
        assertArrayEquals(new float[8], out);
    }

    @Test
    void plan_montage_typicalDerivations_haveExpectedMatrixAndNames() {
        ChannelPlan plan = ChannelSelectors.plan(
                ChannelSelection.parse("montage:C3-M2,C3,Cz-(M1+M2)/2,0.5*C3+0.5*C4,EOG=-(Fp1 - Fp2) * 2"), CHANNELS);
        assertEquals(List.of("C3-M2", "C3", "Cz-(M1+M2)/2", "0.5*C3+0.5*C4", "EOG"), plan.outputNames());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, plan.inputs());
        double[][] m = ((MontagePlan) plan).matrix();
        // columns: Fp1 Fp2 C3 C4 Cz M1 M2
        assertArrayEquals(new double[] {0, 0, 1, 0, 0, 0, -1}, m[0]);
        assertArrayEquals(new double[] {0, 0, 1, 0, 0, 0, 0}, m[1]);
        assertArrayEquals(new double[] {0, 0, 0, 0, 1, -0.5, -0.5}, m[2]);
        assertArrayEquals(new double[] {0, 0, 0.5, 0.5, 0, 0, 0}, m[3]);
        assertArrayEquals(new double[] {-2, 2, 0, 0, 0, 0, 0}, m[4]);
        assertEquals(5, ((MontagePlan) plan).rank());
        assertTrue(plan.toString().endsWith("rank 5"), plan.toString());
    }

    @Test
    void plan_montage20x8_matchesOjalgoMultiply() {
        List<String> derivations = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            String a = CHANNELS.get(r % 8);
            String b = CHANNELS.get((r * 3 + 1) % 8);
            String c = CHANNELS.get((r * 5 + 2) % 8);
            derivations.add(r % 3 == 0 ? a + "-" + b : r % 3 == 1 ? a + "-(" + b + "+" + c + ")/3" : "0.25*" + a + "+" + c);
        }
        ChannelPlan plan = ChannelSelectors.plan(new ChannelSelection("montage", derivations), CHANNELS);
        int samples = 7680 + 5;
        float[][] inputs = gaussians(plan.inputs().length, samples);
        float[] out = run(plan, K, inputs, samples);

        double[][] m = ((MontagePlan) plan).matrix();
        R064Store matrix = R064Store.FACTORY.make(m.length, inputs.length);
        R064Store x = R064Store.FACTORY.make(inputs.length, samples);
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < inputs.length; c++) {
                matrix.set(r, c, m[r][c]);
            }
        }
        for (int c = 0; c < inputs.length; c++) {
            for (int s = 0; s < samples; s++) {
                x.set(c, s, (double) inputs[c][s]);
            }
        }
        MatrixStore<Double> expected = matrix.multiply(x);
        // The float reference the benchmark compares with: Y^T = X^T M^T, column-major = row-major Y.
        float[] xt = new float[inputs.length * samples];
        for (int c = 0; c < inputs.length; c++) {
            System.arraycopy(inputs[c], 0, xt, c * samples, samples);
        }
        R032Store mt = R032Store.FACTORY.make(inputs.length, m.length);
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < inputs.length; c++) {
                mt.set(c, r, m[r][c]);
            }
        }
        R032Store yt = R032Store.FACTORY.make(samples, m.length);
        yt.fillByMultiplying(R032Store.wrap(xt, samples), mt);
        for (int r = 0; r < m.length; r++) {
            for (int s = 0; s < samples; s++) {
                double e = expected.doubleValue(r, s);
                assertEquals(e, out[r * samples + s], 1e-4 * Math.max(1, Math.abs(e)), "row " + r + " sample " + s);
                assertEquals(yt.data[r * samples + s], out[r * samples + s], 1e-3 * Math.max(1, Math.abs(e)));
            }
        }
    }

    @Test
    void plan_montage_vectorAndScalarPaths_giveIdenticalBits() {
        ChannelPlan plan = ChannelSelectors.plan(
                ChannelSelection.parse("montage:C3-M2,Cz-(M1+M2)/2,0.3*Fp1-0.7*Fp2+O1/3,C4"), CHANNELS);
        for (int samples : new int[] {1, 17, 100, 7681}) {
            float[][] inputs = gaussians(plan.inputs().length, samples);
            float[] v = run(plan, Kernels.vector(), inputs, samples);
            float[] s = run(plan, Kernels.scalar(), inputs, samples);
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float.floatToRawIntBits(s[i]), Float.floatToRawIntBits(v[i]), "element " + i);
            }
        }
    }

    @Test
    void plan_montageQuotedNames_resolveNonIdentifierChannels() {
        List<String> channels = List.of("EEG Fpz-Cz", "EEG Pz-Oz", "EOG horizontal");
        ChannelPlan plan = ChannelSelectors.plan(
                ChannelSelection.parse("montage:[EEG Fpz-Cz]-\"EEG Pz-Oz\",eog=[EOG horizontal]"), channels);
        assertEquals(List.of("[EEGFpz-Cz]-\"EEGPz-Oz\"", "eog"), plan.outputNames());
        float[] out = run(plan, K, ramps(plan.inputs(), 1), 1);
        assertArrayEquals(new float[] {-1000f, 2000f}, out);
    }

    @Test
    void plan_montageTermThatCancels_isNotRead() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("montage:C3-C3+C4"), CHANNELS);
        assertArrayEquals(new int[] {3}, plan.inputs());
    }

    @Test
    void plan_montageDependentDerivations_reportRank() {
        MontagePlan plan = (MontagePlan) ChannelSelectors.plan(
                ChannelSelection.parse("montage:C3-M2,C4-M2,C3-C4,C3-M2"), CHANNELS);
        assertEquals(2, plan.rank());
        assertEquals(4, plan.outputChannels());
    }

    @Test
    void plan_montageMissingChannel_throwsNamingChannelAndDerivation() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("montage:C3-M2,F7-M9"), CHANNELS));
        assertTrue(e.getMessage().startsWith("channel 'F7' in montage derivation 'F7-M9' not found"), e.getMessage());
        assertEquals(Optional.of("F7"), e.channel());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "C3-*M2|montage derivation 'C3-*M2' (argument 1): expected a channel, a number or '(' at column 4, found '*'",
        "Cz-(M1+M2|montage derivation 'Cz-(M1+M2' (argument 1): expected ')' at column 10, found the end",
        "C3*C4|montage derivation 'C3*C4' (argument 1): product of two channel terms at column 3 (expected: a derivation linear in the channels)",
        "C3/M2|montage derivation 'C3/M2' (argument 1): division by a channel term at column 3 (expected: division by a constant)",
        "C3/0|montage derivation 'C3/0' (argument 1): division by zero at column 3",
        "C3+1|montage derivation 'C3+1' (argument 1): constant term 1.0 (expected: a linear combination of channels without a constant)",
        "2C3|montage derivation '2C3' (argument 1): expected an operator or the end at column 2, found 'C'",
        "C3 M2|montage derivation 'C3 M2' (argument 1): expected an operator or the end at column 4, found 'M'",
        "=C3|montage derivation '=C3' (argument 1): empty output name before '='",
        "[C3|montage derivation '[C3' (argument 1): unclosed [ at column 1",
        "C3-C3|montage derivation 'C3-C3' (argument 1) is identically zero (expected: a non-zero combination of channels)",
        "1e39*C3|montage derivation '1e39*C3' (argument 1) has coefficient 1.0E39 (expected: a magnitude a float can hold, 1.4E-45 to 3.4028235E38)",
        "1e400*C3|montage derivation '1e400*C3' (argument 1): number 1e400 at column 1 is too large",
        "1e200*1e200*C3|montage derivation '1e200*1e200*C3' (argument 1): coefficient of 'C3' is Infinity (expected: finite)",
        "C3 + $|montage derivation 'C3 + $' (argument 1): expected a channel, a number or '(' at column 6, found '$'"})
    void plan_montageBadDerivation_throwsNamingTheExpression(String derivation, String problem) {
        ChannelSelection selection = new ChannelSelection("montage", List.of(derivation));
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(selection, CHANNELS));
        assertEquals(problem + " (selection montage:" + derivation + "; available channels: " + CHANNELS + ")",
                e.getMessage());
    }

    @Test
    void plan_montageBadSecondDerivation_namesItsPosition() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("montage:C3-M2,C4-"), CHANNELS));
        assertTrue(e.getMessage().startsWith("montage derivation 'C4-' (argument 2): expected a channel"),
                e.getMessage());
    }

    @Test
    void plan_unknownSelector_throwsListingBuiltInsAndProviders() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("bipolar:C3"), CHANNELS));
        assertEquals("unknown selector 'bipolar' (expected: a built-in [all, names, fill, montage, kind] or a "
                + "ChannelSelectorProvider found by ServiceLoader [car, test-broken, test-failing]) (selection "
                + "bipolar:C3; available channels: " + CHANNELS + ")", e.getMessage());
    }

    @Test
    void plan_serviceLoaderProvider_plansAndApplies() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("car:C3,O1"), CHANNELS);
        assertEquals(List.of("C3", "O1"), plan.outputNames());
        float[][] inputs = gaussians(8, 33);
        float[] out = run(plan, K, inputs, 33);
        for (int s = 0; s < 33; s++) {
            double mean = 0;
            for (float[] row : inputs) {
                mean += row[s];
            }
            mean /= 8;
            assertEquals(inputs[2][s] - mean, out[s], 1e-3);
            assertEquals(inputs[7][s] - mean, out[33 + s], 1e-3);
        }
        float[] scalar = run(plan, Kernels.scalar(), inputs, 33);
        assertArrayEquals(scalar, out);
    }

    @Test
    void plan_providerChannelSelectionException_passesThrough() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("car:Q1"), CHANNELS));
        assertEquals(Optional.of("Q1"), e.channel());
    }

    @Test
    void plan_providerReturnsInvalidPlan_throwsNamingProvider() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("test-broken"), CHANNELS));
        assertTrue(e.getMessage().startsWith("selector 'test-broken' (dev.batcher.materializers.channels.testing."
                + "BrokenProvider) returned an invalid plan: inputs() [1, 0] (expected: ascending, distinct indices in "
                + "[0, 8))"), e.getMessage());
    }

    @Test
    void plan_providerThrows_wrapsNamingProvider() {
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("test-failing"), CHANNELS));
        assertTrue(e.getMessage().startsWith("selector 'test-failing' (dev.batcher.materializers.channels.testing."
                + "FailingProvider) failed: java.lang.IllegalStateException: boom"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalStateException);
    }

    @Test
    void plan_kindSelector_takesTheChannelsOfThoseKindsInStoredOrder() {
        List<String> edf = List.of("EEG Fpz-Cz", "EOG horizontal", "EEG Pz-Oz", "Resp oro-nasal", "C3-M2");
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("kind:eeg,Resp"), edf);
        assertEquals(List.of("EEG Fpz-Cz", "EEG Pz-Oz", "Resp oro-nasal"), plan.outputNames());
        ChannelSelectionException e = assertThrows(ChannelSelectionException.class,
                () -> ChannelSelectors.plan(ChannelSelection.parse("kind:ECG"), edf));
        assertTrue(e.getMessage().contains("no channel of kind [ECG]"), e.getMessage());
    }

    @Test
    void selectorNames_builtInsAndProviders_listedInOrder() {
        assertEquals(List.of("all", "names", "fill", "montage", "kind", "car", "test-broken", "test-failing"),
                ChannelSelectors.selectorNames());
    }

    @Test
    void plan_sameSelectionAndChannels_returnsCachedPlan() {
        ChannelSelection selection = ChannelSelection.parse("montage:C3-M2,C4-M1");
        ChannelPlan first = ChannelSelectors.plan(selection, CHANNELS);
        assertSame(first, ChannelSelectors.plan(ChannelSelection.parse("montage:C3-M2,C4-M1"), new ArrayList<>(CHANNELS)));
        List<String> other = new ArrayList<>(CHANNELS);
        other.add("X");
        assertTrue(first != ChannelSelectors.plan(selection, other));
    }

    @Test
    void plan_moreDistinctSelectionsThanCapacity_cacheStaysBounded() {
        for (int i = 0; i < ChannelSelectors.CACHE_CAPACITY + 50; i++) {
            ChannelSelectors.plan(ChannelSelection.parse("montage:" + (i + 1) + "*C3"), CHANNELS);
        }
        assertEquals(ChannelSelectors.CACHE_CAPACITY, ChannelSelectors.cacheSize());
        ChannelSelectors.clearCache();
        assertEquals(0, ChannelSelectors.cacheSize());
    }

    @Test
    void plan_concurrentCallers_allGetTheSamePlan() {
        ChannelSelection selection = ChannelSelection.parse("montage:Cz-(M1+M2)/2,O1-Fp1");
        List<ChannelPlan> plans = IntStream.range(0, 200).parallel()
                .mapToObj(i -> ChannelSelectors.plan(selection, CHANNELS)).toList();
        for (ChannelPlan p : plans) {
            assertSame(plans.get(0), p);
        }
    }

    @Test
    void apply_wrongInputCount_throwsNamingBoth() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("names:C3,C4"), CHANNELS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan.apply(K, new float[1][4], new float[8], 0, 4));
        assertEquals("decodedInputs.length: 1 (expected: inputs().length 2)", e.getMessage());
    }

    @Test
    void apply_outputTooSmall_throwsNamingSizes() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("montage:C3-C4"), CHANNELS);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> plan.apply(K, new float[2][4], new float[5], 2, 4));
        assertEquals("outOffset: 2 (expected: >= 0 and outOffset + outputChannels() * samples <= out.length, with "
                + "outputChannels() 1, samples 4 and out.length 5)", e.getMessage());
    }

    @Test
    void apply_inputRowTooShort_throws() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("montage:C3-C4"), CHANNELS);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> plan.apply(K, new float[][] {new float[4], new float[3]}, new float[4], 0, 4));
        assertEquals("decodedInputs[1].length: 3 (expected: >= samples 4)", e.getMessage());
    }

    @Test
    void apply_negativeSamples_throws() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.all(), CHANNELS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan.apply(K, new float[8][0], new float[0], 0, -1));
        assertEquals("samples: -1 (expected: >= 0)", e.getMessage());
    }

    @Test
    void plan_inputsArray_isACopy() {
        ChannelPlan plan = ChannelSelectors.plan(ChannelSelection.parse("names:C4"), CHANNELS);
        plan.inputs()[0] = 99;
        assertArrayEquals(new int[] {3}, plan.inputs());
    }

    @Test
    void plan_nullArguments_throwNullPointer() {
        assertThrows(NullPointerException.class, () -> ChannelSelectors.plan(null, CHANNELS));
        assertThrows(NullPointerException.class, () -> ChannelSelectors.plan(ChannelSelection.all(), null));
    }
}
