package dev.batcher.materializers.onda;

import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.metadata.TimeSpan;

/**
 * One row of an {@code onda.annotation@1} table, with the text of its label column (by default
 * {@code value}; OndaBatches calls it the labels column).
 *
 * @param recording the recording's UUID, in canonical lower-case form
 * @param id the annotation's UUID, in canonical lower-case form
 * @param span the annotated span within the recording, in nanoseconds
 * @param value the label text, for example {@code Sleep stage 2} or {@code N2}
 * @param table the annotations table it was read from, for messages
 * @param row its row in that table, from 0
 */
public record OndaAnnotation(String recording, String id, TimeSpan span, String value, String table, int row) {
    /** Returns when the annotation starts, in nanoseconds from the start of the recording. */
    public long onsetNanos() {
        return span.startNanos();
    }

    /** Returns how long it lasts, in nanoseconds. */
    public long durationNanos() {
        return span.durationNanos();
    }

    /**
     * Returns the annotation as the label grid takes it ({@code LabelGrid.build}): onset, duration and
     * trimmed text, located by table, row and id for messages.
     */
    public Annotation toAnnotation() {
        return new Annotation(onsetNanos(), durationNanos(), value.trim(), table, "row " + row + " (id " + id + ")");
    }
}
