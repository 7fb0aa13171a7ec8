package dev.batcher.materializers.storage;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a dataset lives: a local directory or an object-storage prefix {@code s3://bucket/prefix}.
 * A value; it checks nothing on disk or in the bucket.
 *
 * @param local the directory, absolute and normalised, or null for S3
 * @param bucket the bucket, or null for a local directory
 * @param prefix the key prefix without leading or trailing slash (may be empty), or null for a local
 *     directory
 */
public record DatasetLocation(Path local, String bucket, String prefix) {
    /** The scheme of object-storage locations. */
    public static final String S3_SCHEME = "s3://";

    /**
     * Checks that exactly one of the two forms is given.
     *
     * @throws IllegalArgumentException if both or neither are
     */
    public DatasetLocation {
        if ((local == null) == (bucket == null) || (bucket != null && prefix == null)) {
            throw new IllegalArgumentException("location: local " + local + ", bucket " + bucket + ", prefix "
                    + prefix + " (expected: either a directory or a bucket and prefix)");
        }
    }

    /**
     * Parses a dataset argument: {@code s3://bucket/prefix} (the prefix may be empty), or a directory.
     *
     * @param text what the user wrote
     * @return the location
     * @throws StorageException with reason {@link StorageException.Reason#PATH_REFUSED} if the text is blank,
     *     the bucket name is empty or malformed, the prefix has a {@code ..} segment, or the path is invalid
     */
    public static DatasetLocation parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new StorageException(StorageException.Reason.PATH_REFUSED, "dataset",
                    "'' (expected: a directory or s3://bucket/prefix)", null);
        }
        if (text.regionMatches(true, 0, S3_SCHEME, 0, S3_SCHEME.length())) {
            String rest = text.substring(S3_SCHEME.length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
            if (!bucket.matches("[a-z0-9][a-z0-9.\\-_]{1,254}")) {
                throw new StorageException(StorageException.Reason.PATH_REFUSED, text,
                        "bucket: '" + bucket + "' (expected: a bucket name of 2+ lower-case letters, digits, '.', '-')", null);
            }
            for (String part : prefix.split("/")) {
                if (part.equals("..") || part.equals(".")) {
                    throw new StorageException(StorageException.Reason.PATH_REFUSED, text,
                            "prefix: '" + prefix + "' (expected: no '.' or '..' segments)", null);
                }
            }
            return new DatasetLocation(null, bucket, prefix);
        }
        try {
            return new DatasetLocation(Path.of(text).toAbsolutePath().normalize(), null, null);
        } catch (InvalidPathException e) {
            throw new StorageException(StorageException.Reason.PATH_REFUSED, text,
                    "path: invalid (expected: a directory or s3://bucket/prefix): " + e.getMessage(), e);
        }
    }

    /** Returns the location of a local directory. */
    public static DatasetLocation of(Path dir) {
        return new DatasetLocation(dir.toAbsolutePath().normalize(), null, null);
    }

    private static String trimSlashes(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == '/') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == '/') {
            b--;
        }
        return s.substring(a, b);
    }

    /** Tells whether this is an object-storage location. */
    public boolean isS3() {
        return bucket != null;
    }

    /**
     * Returns the object key of a file name relative to this prefix (checked by
     * {@link DatasetRoots#checkRelative}).
     *
     * @throws IllegalStateException if this is a local directory
     */
    public String key(String relative) {
        if (!isS3()) {
            throw new IllegalStateException("location: " + this + " (expected: s3://bucket/prefix for object keys)");
        }
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** Returns how a user names a file of this dataset: {@code s3://bucket/prefix/file} or the local path. */
    public String describe(String relative) {
        return isS3() ? S3_SCHEME + bucket + "/" + key(relative) : local.resolve(relative).toString();
    }

    /**
     * Tells whether this location lies under {@code root}: a directory inside it (compared as given;
     * callers compare real paths), or a prefix inside a prefix of the same bucket on a segment boundary.
     */
    public boolean isUnder(DatasetLocation root) {
        if (isS3() != root.isS3()) {
            return false;
        }
        if (!isS3()) {
            return local.startsWith(root.local);
        }
        return bucket.equals(root.bucket) && (root.prefix.isEmpty() || prefix.equals(root.prefix)
                || prefix.startsWith(root.prefix + "/"));
    }

    /** Returns {@code s3://bucket/prefix} or the directory. */
    @Override
    public String toString() {
        return isS3() ? S3_SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix) : local.toString();
    }
}
