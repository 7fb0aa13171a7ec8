package dev.batcher.materializers.channels;

import dev.batcher.materializers.kernels.Kernels;
import java.util.List;

/**
 * How to build one item's channels from a signal's stored channels: which stored channels to read,
 * and how to turn them into the output rows. Obtained from {@link ChannelSelectors#plan} (or a
 * {@link ChannelSelectorProvider}) for a selection and a signal's channel list, and then applied to
 * every window of every signal with that channel list.
 *
 * <p>Implementations must be immutable and thread-safe: plans are cached and shared between
 * threads.
 */
public interface ChannelPlan {
    /**
     * Returns the number of output rows.
     *
     * @return the number of channels {@link #apply} writes, {@code >= 0}
     */
    int outputChannels();

    /**
     * Returns the names of the output rows, in order (for example {@code C3-M2}).
     *
     * @return {@link #outputChannels()} names
     */
    List<String> outputNames();

    /**
     * Returns the indices, into the signal's channel list, of the stored channels that must be
     * read, in ascending order and without duplicates. May be empty (for example when every row is
     * a zero fill). Callers must not modify the array.
     *
     * @return the channels to read
     */
    int[] inputs();

    /**
     * Writes the output rows: row {@code r} goes to {@code out[outOffset + r * samples, outOffset +
     * (r + 1) * samples)}.
     *
     * @param k the kernels to compute with
     * @param decodedInputs the decoded channels, aligned with {@link #inputs()}: {@code
     *     decodedInputs[i]} holds channel {@code inputs()[i]} from element 0, at least {@code samples}
     *     floats
     * @param out where the rows go
     * @param outOffset the first element to write
     * @param samples the samples per row
     * @throws NullPointerException if {@code k}, {@code decodedInputs}, one of its rows or {@code out}
     *     is null
     * @throws IllegalArgumentException if {@code samples < 0} or {@code decodedInputs.length !=
     *     inputs().length}
     * @throws IndexOutOfBoundsException if a row of {@code decodedInputs} is shorter than {@code
     *     samples} or the output range is not inside {@code out}
     */
    void apply(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples);
}
