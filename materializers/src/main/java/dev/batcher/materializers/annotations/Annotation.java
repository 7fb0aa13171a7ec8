package dev.batcher.materializers.annotations;

import java.util.Objects;

/**
 * One annotation: a text over a stretch of time, as read from an annotation file.
 *
 * @param onsetNanos when it starts, in nanoseconds from the start of the file it was read from (may
 *     be negative: EDF+ allows onsets before the file starts)
 * @param durationNanos how long it lasts in nanoseconds, or {@link #NO_DURATION} where the file gives
 *     none
 * @param text the annotation text, trimmed
 * @param source the file it was read from, for messages
 * @param locator where in the file, for messages: {@code line 12}, {@code data record 3},
 *     {@code ScoredEvent 7 (line 40)}
 */
public record Annotation(long onsetNanos, long durationNanos, String text, String source, String locator) {
    /** The duration of an annotation whose file gives none. */
    public static final long NO_DURATION = -1;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code durationNanos} is below -1
     */
    public Annotation {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(locator, "locator");
        if (durationNanos < NO_DURATION) {
            throw new IllegalArgumentException("durationNanos: " + durationNanos + " (expected: >= 0, or -1 for none)");
        }
    }

    /** Returns the onset in seconds. */
    public double onsetSeconds() {
        return onsetNanos / 1e9;
    }

    /** Returns the duration in seconds, or -1 if the file gives none. */
    public double durationSeconds() {
        return durationNanos == NO_DURATION ? -1 : durationNanos / 1e9;
    }

    /** Returns this annotation moved by {@code nanos} (onsets in another file's time). */
    public Annotation shifted(long nanos) {
        return new Annotation(Math.addExact(onsetNanos, nanos), durationNanos, text, source, locator);
    }

    /** Returns {@code source, locator: onset 30 s, 'text'}: how messages name an annotation. */
    public String describe() {
        return source + ", " + locator + ": onset " + Seconds.format(onsetNanos) + " s, '" + text + "'";
    }
}
