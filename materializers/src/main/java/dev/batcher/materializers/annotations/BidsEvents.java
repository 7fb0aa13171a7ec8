package dev.batcher.materializers.annotations;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a BIDS {@code *_events.tsv}: one {@link Annotation} per row, with the {@code onset} and
 * {@code duration} columns (seconds from the start of the recording) and as text the
 * {@code trial_type} column, or where there is none the {@code value} column. {@code n/a} is the BIDS
 * missing value: a duration of {@code n/a} is no duration, a text of {@code n/a} is the text
 * {@code n/a} (which the built-in stage map takes as "no stage").
 */
public final class BidsEvents {
    /** The BIDS missing value. */
    public static final String NA = "n/a";

    private BidsEvents() {
    }

    /**
     * Reads an events file.
     *
     * @param in the file's bytes, not closed here
     * @param source what to call the file in messages
     * @return the events, in file order
     * @throws AnnotationException if the file lacks an {@code onset} or {@code duration} column or both
     *     {@code trial_type} and {@code value}, a row has the wrong number of fields, an onset is
     *     {@code n/a} or not a number, or a duration is negative or not a number (naming the line)
     */
    public static List<Annotation> read(InputStream in, String source) {
        Tsv tsv = Tsv.read(in, source);
        int onset = tsv.required("onset", "the onset of each event in seconds (BIDS)");
        int duration = tsv.required("duration", "the duration of each event in seconds, or n/a (BIDS)");
        int text = tsv.column("trial_type");
        if (text < 0) {
            text = tsv.column("value");
        }
        if (text < 0) {
            throw new AnnotationException(source + " line 1: columns trial_type and value: both missing (expected: "
                    + "one of them, naming each event, e.g. the sleep stage; the header has " + tsv.header() + ")");
        }
        List<Annotation> out = new ArrayList<>();
        for (Tsv.Row row : tsv.rows()) {
            String where = source + " line " + row.line();
            String o = row.fields().get(onset).strip();
            if (o.equals(NA)) {
                throw new AnnotationException(where + ": onset: n/a (expected: a number of seconds; BIDS requires an onset)");
            }
            long onsetNanos = Seconds.parse(o, where, "onset");
            String d = row.fields().get(duration).strip();
            long durationNanos = Annotation.NO_DURATION;
            if (!d.equals(NA)) {
                durationNanos = Seconds.parse(d, where, "duration");
                if (durationNanos < 0) {
                    throw new AnnotationException(where + ": duration: " + d + " (expected: >= 0 seconds, or n/a)");
                }
            }
            out.add(new Annotation(onsetNanos, durationNanos, row.fields().get(text).strip(), source, "line " + row.line()));
        }
        return out;
    }
}
