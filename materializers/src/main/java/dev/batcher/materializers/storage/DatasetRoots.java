package dev.batcher.materializers.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides which datasets and files may be read: the manager (which datasets a
 * client may create batchers over), the workers (which datasets a job may point at) and
 * {@code RecordingFiles} (which files a dataset's table may name) all ask here.
 *
 * <p>Rules: a dataset must lie under one of the roots (any dataset if there are none); a local
 * dataset is compared by its real path, so a symbolic link cannot smuggle another directory in; an
 * S3 dataset must share a root's bucket and lie under its prefix on a segment boundary. A file name
 * inside a dataset is relative, with forward slashes, no {@code ..} segment, and (for local files) must
 * not resolve outside its directory through a symbolic link.
 */
public final class DatasetRoots {
    private final List<DatasetLocation> roots;

    private DatasetRoots(List<DatasetLocation> roots) {
        this.roots = List.copyOf(roots);
    }

    /** Returns roots that admit every dataset. */
    public static DatasetRoots any() {
        return new DatasetRoots(List.of());
    }

    /**
     * Parses roots: directories (which must exist; compared by real path) or {@code s3://bucket/prefix}.
     *
     * @param roots the roots; empty admits any dataset
     * @return the roots
     * @throws StorageException with reason {@link StorageException.Reason#PATH_REFUSED} if a root is malformed
     *     or a directory does not exist
     */
    public static DatasetRoots of(List<String> roots) {
        List<DatasetLocation> parsed = new ArrayList<>();
        for (String root : roots) {
            DatasetLocation location = DatasetLocation.parse(root);
            if (!location.isS3()) {
                location = DatasetLocation.of(realDirectory(location.local(), "dataset root"));
            }
            parsed.add(location);
        }
        return new DatasetRoots(parsed);
    }

    /** Returns the roots, local ones as real paths. */
    public List<DatasetLocation> roots() {
        return roots;
    }

    /**
     * Checks that a dataset lies under the roots.
     *
     * @param dataset a directory or {@code s3://bucket/prefix}
     * @param who who refuses, for the message, for example {@code the daemon}
     * @param refusal what is refused, for the message, for example {@code serve it}
     * @return the location, local ones as real paths
     * @throws StorageException with reason {@link StorageException.Reason#PATH_REFUSED} if it is malformed or outside
     *     the roots
     */
    public DatasetLocation check(String dataset, String who, String refusal) {
        DatasetLocation location = DatasetLocation.parse(dataset);
        if (!location.isS3()) {
            // A missing directory is compared as written; loading it then says what is missing.
            try {
                location = DatasetLocation.of(location.local().toRealPath());
            } catch (IOException e) {
                // keep the absolute, normalised path
            }
        }
        if (!roots.isEmpty()) {
            DatasetLocation l = location;
            if (roots.stream().noneMatch(l::isUnder)) {
                throw new StorageException(StorageException.Reason.PATH_REFUSED, "dataset",
                        dataset + " (expected: a directory under " + who + "'s dataset roots " + roots
                                + "); refusing to " + refusal, null);
            }
        }
        return location;
    }

    private static Path realDirectory(Path dir, String what) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.NOT_FOUND, what + " " + dir,
                    "not found (expected: an existing directory): " + e, e);
        }
        if (!Files.isDirectory(real)) {
            throw new StorageException(StorageException.Reason.NOT_FOUND, what + " " + dir,
                    "not a directory (expected: a directory)", null);
        }
        return real;
    }

    /**
     * Checks a file name relative to a dataset: not blank, not absolute, no {@code ..} segment.
     *
     * @param file the name, for example {@code site2/night2.h5}
     * @return the name with forward slashes and without empty or {@code .} segments
     * @throws StorageException with reason {@link StorageException.Reason#PATH_REFUSED} naming the rule broken
     */
    public static String checkRelative(String file) {
        if (file == null || file.isBlank()) {
            throw refused(String.valueOf(file), "'" + file + "' (expected: a path relative to the dataset roots)");
        }
        if (file.startsWith("/") || file.startsWith("\\") || file.matches("^[A-Za-z]:.*")) {
            throw refused(file, "'" + file + "' is absolute (expected: a path relative to the dataset roots)");
        }
        StringBuilder b = new StringBuilder();
        for (String part : file.replace('\\', '/').split("/")) {
            if (part.equals("..")) {
                throw refused(file, "'" + file + "' contains '..' (expected: a path inside the dataset roots)");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                if (b.length() > 0) {
                    b.append('/');
                }
                b.append(part);
            }
        }
        if (b.length() == 0) {
            throw refused(file, "'" + file + "' names no file (expected: a path relative to the dataset roots)");
        }
        return b.toString();
    }

    /**
     * Resolves a checked relative name inside a local directory: the file must exist and its real path
     * must lie inside {@code root} (a symbolic link may not lead out).
     *
     * @param root the directory, as a real path
     * @param file the relative name
     * @return the file's real path, or null if {@code root} holds no such file
     * @throws StorageException with reason {@link StorageException.Reason#PATH_REFUSED} if the name breaks
     *     {@link #checkRelative} or leads outside {@code root}; {@link StorageException.Reason#FAILED} if it
     *     cannot be resolved
     */
    public static Path resolveInside(Path root, String file) {
        String relative = checkRelative(file);
        Path candidate;
        try {
            candidate = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw refused(file, "'" + file + "' is invalid (expected: a valid path relative to the dataset roots): " + e.getMessage());
        }
        if (!Files.exists(candidate)) {
            return null;
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw new StorageException(StorageException.Reason.FAILED, "path " + candidate,
                    "not resolvable (expected: a resolvable file): " + e, e);
        }
        if (!real.startsWith(root)) {
            throw refused(file, "'" + file + "' resolves to " + real + " through a symbolic link (expected: a file inside its root " + root + ")");
        }
        return real;
    }

    private static StorageException refused(String file, String detail) {
        return new StorageException(StorageException.Reason.PATH_REFUSED, "path", detail, null);
    }

    @Override
    public String toString() {
        return roots.toString();
    }
}
