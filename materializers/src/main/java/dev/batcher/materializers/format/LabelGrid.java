package dev.batcher.materializers.format;

import dev.batcher.materializers.metadata.LabelInfo;

import java.util.Objects;

/**
 * A dense label grid built at index time from a file other than the signal's own (an EDF+ hypnogram,
 * an NSRR XML, a BIDS {@code events.tsv}...), stored in {@code recordings.json} with the recording
 * and served by {@link RecordingFiles#readLabels} as if it were a label dataset of the signal file.
 *
 * @param info what the grid is: its dataset name (for example {@code /labels/stage}), label channels,
 *     rate, start, length and encoding
 * @param values {@code [info.channels().size()][info.samples()]}, each an index into the encoding or -1
 */
public record LabelGrid(LabelInfo info, int[][] values) {
    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if the values are not {@code [channels][samples]}
     */
    public LabelGrid {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(values, "values");
        if (values.length != info.channels().size()) {
            throw new IllegalArgumentException("values: " + values.length + " rows (expected: "
                    + info.channels().size() + ", one per label channel " + info.channels() + ")");
        }
        for (int[] row : values) {
            if (row.length != info.samples()) {
                throw new IllegalArgumentException("values: a row of " + row.length + " (expected: "
                        + info.samples() + " label samples)");
            }
        }
    }
}
