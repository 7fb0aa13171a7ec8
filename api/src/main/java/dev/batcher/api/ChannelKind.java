package dev.batcher.api;

import java.util.Locale;

/**
 * The kind of a channel (EEG, EOG, EMG, ECG, RESP...), from its name the way EDF files label signals:
 * the first word, upper-cased ({@code "EEG Fpz-Cz"} is {@code EEG}, {@code "Resp oro-nasal"} is
 * {@code RESP}). A name of one word has no kind (an empty string): {@code C3-M2} is of no kind.
 */
public final class ChannelKind {
    private ChannelKind() {
    }

    /**
     * Returns the kind of a channel name.
     *
     * @param name the channel name
     * @return its first word upper-cased, or {@code ""} if the name is one word
     */
    public static String of(String name) {
        String t = name.trim();
        int space = t.indexOf(' ');
        return space <= 0 ? "" : t.substring(0, space).toUpperCase(Locale.ROOT);
    }

    /**
     * Tells whether a channel name is of one of {@code kinds} (compared ignoring case).
     *
     * @param name the channel name
     * @param kinds kinds such as {@code EEG}
     * @return true if the name's kind is among them
     */
    public static boolean isOneOf(String name, Iterable<String> kinds) {
        String k = of(name);
        for (String kind : kinds) {
            if (!k.isEmpty() && k.equalsIgnoreCase(kind.trim())) {
                return true;
            }
        }
        return false;
    }
}
