package dev.batcher.materializers.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The rules for file names and dataset paths that every format shares. */
public final class FileNames {
    private FileNames() {
    }

    /**
     * Normalises a file name: forward slashes, no empty or {@code .} segments.
     *
     * @param file a relative file name
     * @return the normalised name
     */
    public static String normalizeName(String file) {
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
    public static String stripExtension(String name, String extension) {
        String n = normalizeName(name);
        return n.toLowerCase(Locale.ROOT).endsWith(extension) ? n.substring(0, n.length() - extension.length()) : n;
    }

    /**
     * Tells whether a file name ends with one of {@code extensions}, ignoring case: how a format claims
     * its files.
     *
     * @param file a file name
     * @param extensions for example {@code .h5} and {@code .hdf5}
     * @return true if the name ends with one of them
     */
    public static boolean hasExtension(String file, String... extensions) {
        String lower = file.toLowerCase(Locale.ROOT);
        for (String e : extensions) {
            if (lower.endsWith(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns a format's default recording id of a file: the name, normalised, without the longest of
     * {@code extensions} it ends with (ignoring case).
     *
     * @param file a path relative to a dataset directory
     * @param extensions the format's extensions
     * @return for example {@code site2/night2} for {@code site2/night2.hdf5}
     */
    public static String withoutExtension(String file, String... extensions) {
        String name = normalizeName(file);
        String lower = name.toLowerCase(Locale.ROOT);
        String longest = "";
        for (String e : extensions) {
            if (lower.endsWith(e) && e.length() > longest.length()) {
                longest = e;
            }
        }
        return name.substring(0, name.length() - longest.length());
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
        if (isNormalDataset(dataset)) {
            return dataset; // every window read asks: most names come normalised already, and the split allocated
        }
        StringBuilder b = new StringBuilder();
        for (String part : dataset.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                b.append('/').append(part);
            }
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    /** Whether {@link #normalizeDataset} would return {@code dataset} unchanged: "/", or "/a/b" with no empty or "." part. */
    static boolean isNormalDataset(String dataset) {
        int n = dataset.length();
        if (n == 0 || dataset.charAt(0) != '/') {
            return false;
        }
        if (n == 1) {
            return true;
        }
        if (dataset.charAt(n - 1) == '/') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (dataset.charAt(i) == '/') {
                int next = i + 1;
                if (dataset.charAt(next) == '/'
                        || dataset.charAt(next) == '.' && (next + 1 == n || dataset.charAt(next + 1) == '/')) {
                    return false;
                }
            }
        }
        return true;
    }
}
