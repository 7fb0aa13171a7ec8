package dev.batcher.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The bin/batcher command line of a container, as options by name (the DocsTest of samples checks that it parses). */
final class CommandLine {
    /** The key under which the subcommand ({@code serve}, {@code worker}, ...) is kept. */
    static final String SUBCOMMAND = "";

    private CommandLine() {}

    /**
     * Returns the container's options ({@code --port=7070} and {@code --port 7070} alike; a flag maps
     * to the empty string) and its subcommand under {@link #SUBCOMMAND}, or null if it does not run
     * bin/batcher.
     */
    static Map<String, String> of(Container c) {
        List<String> words = new ArrayList<>(Objects.requireNonNullElse(c.getCommand(), List.of()));
        words.addAll(Objects.requireNonNullElse(c.getArgs(), List.of()));
        if (words.isEmpty() || !words.get(0).endsWith("bin/batcher")) {
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (!w.startsWith("--")) {
                options.putIfAbsent(SUBCOMMAND, w);
            } else if (w.contains("=")) {
                options.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            } else if (i + 1 < words.size() && !words.get(i + 1).startsWith("--")) {
                options.put(w, words.get(++i));
            } else {
                options.put(w, "");
            }
        }
        return options;
    }
}
