package dev.batcher.materializers.annotations;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a BIDS {@code *_channels.tsv}: the type of each channel ({@code EEG}, {@code EOG},
 * {@code EMG}, {@code ECG}, {@code MISC}...), which group selection by kind can use where a file's
 * channel labels do not say it.
 */
public final class BidsChannels {
    private BidsChannels() {
    }

    /**
     * Reads a channels file.
     *
     * @param in the file's bytes, not closed here
     * @param source what to call the file in messages
     * @return channel name (trimmed) to type (upper case), in file order
     * @throws AnnotationException if the {@code name} or {@code type} column is missing, a row has the
     *     wrong number of fields, or a name is empty or repeated (naming the line)
     */
    public static Map<String, String> read(InputStream in, String source) {
        Tsv tsv = Tsv.read(in, source);
        int name = tsv.required("name", "the channel's label as in the data file (BIDS)");
        int type = tsv.required("type", "the channel's type, e.g. EEG, EOG, EMG (BIDS)");
        Map<String, String> out = new LinkedHashMap<>();
        for (Tsv.Row row : tsv.rows()) {
            String n = row.fields().get(name).strip();
            if (n.isEmpty()) {
                throw new AnnotationException(source + " line " + row.line() + ": name: empty (expected: a channel label)");
            }
            String previous = out.put(n, row.fields().get(type).strip().toUpperCase(Locale.ROOT));
            if (previous != null) {
                throw new AnnotationException(source + " line " + row.line() + ": name: '" + n
                        + "' repeated (expected: each channel once)");
            }
        }
        return out;
    }
}
