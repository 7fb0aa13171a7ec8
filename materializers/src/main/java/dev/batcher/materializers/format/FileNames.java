package dev.batcher.materializers.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rules for file names and dataset paths that every format shares. */
final class FileNames {
    private FileNames() {
    }

    /**
     * Normalises a file name: forward slashes, no empty or {@code .} segments.
     *
     * @param file a relative file name
     * @return the normalised name
     */
    static String normalizeName(String file) {
        List<String> parts = new ArrayList<>();
        for (String part : file.replace('\\', '/').split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /**
     * Returns {@code name} without {@code extension} if it ends with it, ignoring case.
     *
     * @param name a file name
     * @param extension for example {@code .edf}
     * @return the name without the extension, or the name
     */
    static String stripExtension(String name, String extension) {
        String n = normalizeName(name);
        return n.toLowerCase(Locale.ROOT).endsWith(extension) ? n.substring(0, n.length() - extension.length()) : n;
    }

    /**
     * Normalises a dataset path: a leading slash, no empty or {@code .} segments, no trailing slash.
     *
     * @param dataset a dataset path, or null
     * @return the normalised path; a blank path becomes "/" (and fails the dataset lookup)
     */
    static String normalizeDataset(String dataset) {
        if (dataset == null) {
            return "/";
        }
        StringBuilder b = new StringBuilder();
        for (String part : dataset.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                b.append('/').append(part);
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }
}
