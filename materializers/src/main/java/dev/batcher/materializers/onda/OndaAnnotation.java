package dev.batcher.materializers.onda;

import dev.batcher.materializers.metadata.TimeSpan;

/**
 * One row of an {@code onda.annotation@1} table, with the text of its label column (by default
 * {@code value}; OndaBatches calls it the labels column).
 *
 * @param recording the recording's UUID, in canonical lower-case form
 * @param id the annotation's UUID, in canonical lower-case form
 * @param span the annotated span within the recording, in nanoseconds
 * @param value the label text, for example {@code Sleep stage 2} or {@code N2}
 */
public record OndaAnnotation(String recording, String id, TimeSpan span, String value) {
    /** Returns when the annotation starts, in nanoseconds from the start of the recording. */
    public long onsetNanos() {
        return span.startNanos();
    }

    /** Returns how long it lasts, in nanoseconds. */
    public long durationNanos() {
        return span.durationNanos();
    }
}
