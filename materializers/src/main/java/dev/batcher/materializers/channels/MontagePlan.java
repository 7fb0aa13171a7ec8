package dev.batcher.materializers.channels;

import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.ChannelSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ojalgo.function.aggregator.Aggregator;
import org.ojalgo.matrix.decomposition.SingularValue;
import org.ojalgo.matrix.store.R064Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan of {@code montage}: output row {@code r} is {@code sum_c M[r][c] * input_c}, with the
 * {@code [outputs x inputs]} matrix {@code M} built and validated with ojalgo and then applied as a
 * sparse list of terms per row (inputs in ascending channel order) with {@link Kernels#combine}.
 */
final class MontagePlan extends AbstractPlan {
    private static final Logger LOG = LoggerFactory.getLogger(MontagePlan.class);

    /** For each row, the positions in the inputs of its non-zero terms, ascending. */
    private final int[][] rowTerms;
    /** For each row, the float coefficients of its terms. */
    private final float[][] rowCoefficients;
    /** Zeros, as long as the longest row: every term reads its input from element 0. */
    private final int[] zeroOffsets;
    /** The dense matrix over the inputs, for tests and descriptions. */
    private final double[][] matrix;
    private final int rank;

    private MontagePlan(List<String> outputNames, int[] inputs, int[][] rowTerms, float[][] rowCoefficients,
            double[][] matrix, int rank) {
        super(outputNames, inputs);
        this.rowTerms = rowTerms;
        this.rowCoefficients = rowCoefficients;
        this.matrix = matrix;
        this.rank = rank;
        int longest = 0;
        for (int[] terms : rowTerms) {
            longest = Math.max(longest, terms.length);
        }
        this.zeroOffsets = new int[longest];
    }

    /**
     * Builds the plan.
     *
     * @param selection the selection, for messages
     * @param available the signal's channels
     * @param index the channel lookup
     * @throws ChannelSelectionException if a derivation does not parse, names a missing channel, or
     *     is identically zero, or a coefficient does not fit in a float
     */
    static MontagePlan build(ChannelSelection selection, List<String> available, ChannelIndex index) {
        List<String> arguments = selection.arguments();
        List<Derivation> derivations = new ArrayList<>(arguments.size());
        for (int a = 0; a < arguments.size(); a++) {
            try {
                derivations.add(Derivation.parse(arguments.get(a)));
            } catch (Derivation.SyntaxException e) {
                throw new ChannelSelectionException("montage derivation '" + arguments.get(a) + "' (argument "
                        + (a + 1) + "): " + e.getMessage(), selection, null, available);
            }
        }
        // Columns: every channel any derivation mentions, in stored order.
        TreeMap<Integer, Integer> columnOf = new TreeMap<>();
        for (Derivation d : derivations) {
            for (String channel : d.coefficients().keySet()) {
                columnOf.put(index.find(channel, "in montage derivation '" + d.argument() + "'"), 0);
            }
        }
        int column = 0;
        for (Map.Entry<Integer, Integer> e : columnOf.entrySet()) {
            e.setValue(column++);
        }
        int rows = derivations.size();
        int columns = columnOf.size();
        R064Store m = R064Store.FACTORY.make(rows, columns);
        for (int r = 0; r < rows; r++) {
            for (Map.Entry<String, Double> term : derivations.get(r).coefficients().entrySet()) {
                int c = columnOf.get(index.find(term.getKey(), ""));
                double coefficient = term.getValue();
                m.set(r, c, coefficient);
            }
        }
        for (int r = 0; r < rows; r++) {
            if (columns == 0 || m.aggregateRow(r, 0, Aggregator.NORM1) == 0) {
                Derivation d = derivations.get(r);
                throw new ChannelSelectionException("montage derivation '" + d.argument() + "' (argument "
                        + (r + 1) + ") is identically zero (expected: a non-zero combination of channels)",
                        selection, null, available);
            }
        }
        int rank = 0;
        if (columns > 0) {
            SingularValue<Double> svd = SingularValue.R064.make(m);
            if (svd.decompose(m)) {
                rank = svd.getRank();
            }
        }
        // Inputs: the columns with any non-zero entry (C3 - C3 + C4 does not need C3).
        List<Integer> used = new ArrayList<>();
        int[] positionOfColumn = new int[columns];
        for (Map.Entry<Integer, Integer> e : columnOf.entrySet()) {
            int c = e.getValue();
            boolean any = false;
            for (int r = 0; r < rows && !any; r++) {
                any = m.doubleValue(r, c) != 0;
            }
            positionOfColumn[c] = any ? used.size() : -1;
            if (any) {
                used.add(e.getKey());
            }
        }
        int[] inputs = used.stream().mapToInt(Integer::intValue).toArray();
        int[][] rowTerms = new int[rows][];
        float[][] rowCoefficients = new float[rows][];
        double[][] dense = new double[rows][inputs.length];
        List<String> names = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Derivation d = derivations.get(r);
            names.add(d.name());
            List<Integer> terms = new ArrayList<>();
            List<Float> coefficients = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                double v = m.doubleValue(r, c);
                if (v == 0) {
                    continue;
                }
                float f = (float) v;
                if (Float.isInfinite(f) || f == 0f) {
                    throw new ChannelSelectionException("montage derivation '" + d.argument() + "' (argument "
                            + (r + 1) + ") has coefficient " + v + " (expected: a magnitude a float can hold, "
                            + Float.MIN_VALUE + " to " + Float.MAX_VALUE + ")", selection, null, available);
                }
                terms.add(positionOfColumn[c]);
                coefficients.add(f);
                dense[r][positionOfColumn[c]] = v;
            }
            rowTerms[r] = terms.stream().mapToInt(Integer::intValue).toArray();
            rowCoefficients[r] = new float[coefficients.size()];
            for (int t = 0; t < coefficients.size(); t++) {
                rowCoefficients[r][t] = coefficients.get(t);
            }
        }
        MontagePlan plan = new MontagePlan(names, inputs, rowTerms, rowCoefficients, dense, rank);
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} for selection {}{}", plan, selection, rank < rows
                    ? " (" + (rows - rank) + " derivations are linear combinations of the others)" : "");
        }
        return plan;
    }

    /** The rank of the derivation matrix, as ojalgo's singular value decomposition finds it. */
    int rank() {
        return rank;
    }

    /** A copy of the dense {@code [outputs x inputs]} matrix, in double. */
    double[][] matrix() {
        double[][] copy = new double[matrix.length][];
        for (int r = 0; r < matrix.length; r++) {
            copy[r] = matrix[r].clone();
        }
        return copy;
    }

    @Override
    void applyChecked(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples) {
        for (int r = 0; r < rowTerms.length; r++) {
            int[] terms = rowTerms[r];
            float[] coefficients = rowCoefficients[r];
            int to = outOffset + r * samples;
            if (terms.length == 1 && coefficients[0] == 1f) {
                System.arraycopy(decodedInputs[terms[0]], 0, out, to, samples);
            } else {
                k.combine(decodedInputs, terms, zeroOffsets, coefficients, terms.length, out, to, samples);
            }
        }
    }

    @Override
    public String toString() {
        return "montage plan: " + outputChannels() + " outputs " + outputNames() + " from inputs "
                + Arrays.toString(inputs()) + ", rank " + rank;
    }
}
