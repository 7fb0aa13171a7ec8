package dev.batcher.materializers.format;

import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.storage.ByteSource;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the readers of a dataset reach its files: name checking and resolution (the one place that
 * decides what may be read) and either local paths ({@link #local}) or ranged reads of objects
 * ({@link #remote}). Thread-safe; resolved names and recorded ETags are cached for its life.
 *
 * <p>A file name is a path relative to the dataset, with forward slashes, for example
 * {@code site2/night2.h5}. Locally it resolves against the first root that holds it; absolute names,
 * names with a {@code ..} segment, and names that resolve (through symbolic links) outside their root
 * are refused, so a worker never reads outside its dataset directories whatever a request says.
 */
public abstract sealed class FileAccess permits FileAccess.Local, FileAccess.Remote {
    private final ConcurrentHashMap<String, String> resolved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> etags = new ConcurrentHashMap<>();

    private FileAccess() {
    }

    /**
     * Returns access to files under local directories.
     *
     * @param roots the directories names resolve against, in order; at least one
     * @return the access
     * @throws IllegalArgumentException if {@code roots} is empty or a root is not an existing directory
     */
    public static FileAccess local(List<Path> roots) {
        return new Local(roots);
    }

    /**
     * Returns access to the objects under {@code s3://bucket/prefix}.
     *
     * @param location the prefix
     * @param storage the store and file cache
     * @return the access
     */
    public static FileAccess remote(DatasetLocation location, Storage storage) {
        return new Remote(location, storage);
    }

    /**
     * Returns the real path (local) or {@code s3://bucket/key} of a file name, checked and cached.
     *
     * @param file the file name
     * @return its id
     * @throws RecordingReadException with reason {@link Reason#PATH_REFUSED} if the name is empty,
     *     absolute, has a {@code ..} segment or leads outside its root; {@link Reason#MISSING_FILE} if no
     *     root holds a regular file of that name (local only: objects are looked up when read)
     */
    public final String id(String file) {
        String known = resolved.get(file);
        if (known != null) {
            return known;
        }
        String id;
        try {
            id = resolve(file);
        } catch (StorageException e) {
            throw RecordingReadException.fromStorage(e, file, null, null);
        }
        resolved.put(file, id);
        return id;
    }

    abstract String resolve(String file);

    /** Tells whether the files are objects in storage. */
    public abstract boolean isRemote();

    /** Returns the local roots, real paths in resolution order (empty for object storage). */
    public abstract List<Path> roots();

    /** Returns the object-storage prefix, or null for local roots. */
    public abstract DatasetLocation location();

    /** Returns the storage (store and file cache) of object-storage files, or null for local ones. */
    public abstract Storage storage();

    /**
     * Records the ETag index time saw for a file, checked by later reads of the object (first one wins).
     *
     * @param file the file name
     * @param etag the ETag, or null to accept any
     */
    public final void recordEtag(String file, String etag) {
        if (etag != null) {
            etags.putIfAbsent(file, etag);
        }
    }

    /** Returns the ETag recorded for a file, or null. */
    public final String recordedEtag(String file) {
        return etags.get(file);
    }

    /**
     * Returns the current size of a file in bytes (a {@code HEAD} for an object).
     *
     * @param file the file name
     * @return its size
     * @throws RecordingReadException if it is missing or unreadable
     */
    public abstract long size(String file);

    /**
     * Returns the object's current ETag, or null for a local file.
     *
     * @param file the file name
     * @return the ETag or null
     * @throws RecordingReadException if the object is missing or forbidden
     */
    public abstract String etag(String file);

    /**
     * Returns ranged reads of an object, each checked against its recorded ETag ({@code If-Match}).
     *
     * @param file the file name
     * @return the source
     * @throws IllegalStateException for local files (open their {@link #id} path instead)
     */
    public abstract ByteSource source(String file);

    static final class Local extends FileAccess {
        private final List<Path> roots;

        Local(List<Path> roots) {
            Objects.requireNonNull(roots, "roots");
            if (roots.isEmpty()) {
                throw new IllegalArgumentException("roots: [] (expected: at least one directory)");
            }
            List<Path> real = new ArrayList<>();
            for (Path root : roots) {
                try {
                    Path r = root.toRealPath();
                    if (!Files.isDirectory(r)) {
                        throw new IllegalArgumentException("root: " + root + " (expected: a directory)");
                    }
                    real.add(r);
                } catch (IOException e) {
                    throw new IllegalArgumentException("root: " + root + " (expected: an existing directory)", e);
                }
            }
            this.roots = List.copyOf(real);
        }

        @Override
        String resolve(String file) {
            for (Path root : roots) {
                Path real = DatasetRoots.resolveInside(root, file);
                if (real == null) {
                    continue;
                }
                if (!Files.isRegularFile(real)) {
                    throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                            "path: " + real + " is not a regular file (expected: a recording file)", null);
                }
                return real.toString();
            }
            throw new RecordingReadException(Reason.MISSING_FILE, file, null, null,
                    "path: not found (expected: an existing file under one of the roots " + roots + ")", null);
        }

        @Override
        public boolean isRemote() {
            return false;
        }

        @Override
        public List<Path> roots() {
            return roots;
        }

        @Override
        public DatasetLocation location() {
            return null;
        }

        @Override
        public Storage storage() {
            return null;
        }

        @Override
        public long size(String file) {
            try {
                return Files.size(Path.of(id(file)));
            } catch (IOException e) {
                throw new RecordingReadException(Reason.UNREADABLE, file, null, null,
                        "size: " + e + " (expected: a readable file)", e);
            }
        }

        @Override
        public String etag(String file) {
            id(file);
            return null;
        }

        @Override
        public ByteSource source(String file) {
            throw new IllegalStateException("source: " + file + " (expected: an object; open local files by path)");
        }
    }

    static final class Remote extends FileAccess {
        private final DatasetLocation location;
        private final Storage storage;

        Remote(DatasetLocation location, Storage storage) {
            this.location = Objects.requireNonNull(location, "location");
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        @Override
        String resolve(String file) {
            return location.describe(DatasetRoots.checkRelative(file));
        }

        @Override
        public boolean isRemote() {
            return true;
        }

        @Override
        public List<Path> roots() {
            return List.of();
        }

        @Override
        public DatasetLocation location() {
            return location;
        }

        @Override
        public Storage storage() {
            return storage;
        }

        private S3Store.ObjectInfo head(String file) {
            id(file);
            try {
                return storage.store().head(location.bucket(), location.key(file));
            } catch (StorageException e) {
                throw RecordingReadException.fromStorage(e, file, null, null);
            }
        }

        @Override
        public long size(String file) {
            return head(file).size();
        }

        @Override
        public String etag(String file) {
            return head(file).etag();
        }

        @Override
        public ByteSource source(String file) {
            id(file);
            return storage.store().source(location.bucket(), location.key(file), recordedEtag(file));
        }
    }
}
