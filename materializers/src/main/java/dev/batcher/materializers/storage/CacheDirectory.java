package dev.batcher.materializers.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of a {@link FileCache} on disk: its lock file, the cached files (named by the hash of
 * object and ETag) and the record ({@code .meta}) beside each, the temporary files downloads go to, and
 * what an earlier owner left. The cache's bookkeeping (bounds, leases, eviction) stays in {@link FileCache}.
 */
final class CacheDirectory {
    // The cache's logger, so its messages keep one category.
    private static final Logger LOG = LoggerFactory.getLogger(FileCache.class);
    private static final String META = ".meta";
    private static final String SUFFIX = FileCache.SUFFIX;

    private final Path dir;
    /** Held for the life of the process: a cache directory has one owner. */
    private final FileLock lock;

    /**
     * Creates the directory if missing and takes its lock.
     *
     * @throws IOException if the directory cannot be created or the lock file opened
     * @throws StorageException if another cache owns the directory
     */
    CacheDirectory(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.lock = lock(dir);
    }

    /**
     * Returns the files an earlier owner left with a valid record, least recently written first, and
     * deletes everything else it wrote (temporary files, files without a valid record, stray records).
     */
    List<CacheEntry> scan() throws IOException {
        List<CacheEntry> kept = new ArrayList<>();
        Map<CacheEntry, FileTime> written = new HashMap<>();
        List<Path> stray = new ArrayList<>();
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir)) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    stray.add(p);
                } else if (name.endsWith(SUFFIX)) {
                    CacheEntry e = restored(p);
                    if (e == null) {
                        stray.add(p);
                    } else {
                        kept.add(e);
                        written.put(e, Files.getLastModifiedTime(p));
                    }
                } else if (name.endsWith(META)
                        && !Files.exists(dir.resolve(name.substring(0, name.length() - META.length()) + SUFFIX))) {
                    stray.add(p);
                }
            }
        }
        for (Path p : stray) {
            Files.deleteIfExists(p);
            if (p.getFileName().toString().endsWith(SUFFIX)) {
                Files.deleteIfExists(metaOf(p));
            }
        }
        kept.sort(Comparator.comparing(written::get));
        return kept;
    }

    /** The entry a cached file's record describes, or null if the record is missing, malformed or does not match. */
    private CacheEntry restored(Path file) {
        try {
            List<String> record = Files.readAllLines(metaOf(file), StandardCharsets.UTF_8);
            if (record.size() < 3) {
                return null;
            }
            String object = record.get(0);
            String etag = record.get(1);
            long size = Long.parseLong(record.get(2));
            String id = object + "\n" + etag;
            if (!file.getFileName().toString().equals(name(id)) || Files.size(file) != size) {
                return null;
            }
            return new CacheEntry(id, object, file, size);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Downloads an object into a hidden temporary file, checks its byte count, writes its record and
     * renames it into place, so a crash never leaves a half file that looks whole. The temporary file
     * is deleted if any step fails.
     *
     * @return the cached file
     * @throws StorageException if the download fails or its byte count is not {@code size}
     */
    Path store(String id, String object, String etag, long size, FileCache.Downloader downloader) throws IOException {
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, ".download-", ".tmp");
            downloader.download(temp);
            long actual = Files.size(temp);
            if (actual != size) {
                throw new StorageException(StorageException.Reason.UNAVAILABLE, object,
                        "downloaded " + actual + " bytes (expected: " + size + ", its size)", null);
            }
            Path target = dir.resolve(name(id));
            // The record first: a file without one is deleted at the next start, never trusted.
            Path meta = Files.createTempFile(dir, ".meta-", ".tmp");
            Files.writeString(meta, object + "\n" + etag + "\n" + size + "\n", StandardCharsets.UTF_8);
            Files.move(meta, metaOf(target), StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            return target;
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("file cache {}: could not delete {}", dir, temp, e);
                }
            }
        }
    }

    /** Deletes an entry's file and its record; a failure is logged, not thrown. */
    void delete(CacheEntry e) {
        try {
            Files.deleteIfExists(e.path);
            Files.deleteIfExists(metaOf(e.path));
        } catch (IOException ex) {
            LOG.warn("file cache {}: could not delete {}", dir, e.path, ex);
        }
    }

    /**
     * Gives up the directory's lock, as the end of the process does: another cache may then open it.
     */
    void unlock() {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException e) {
            LOG.warn("file cache {}: releasing its lock failed", dir, e);
        }
    }

    private static Path metaOf(Path file) {
        String n = file.getFileName().toString();
        return file.resolveSibling(n.substring(0, n.length() - SUFFIX.length()) + META);
    }

    private static FileLock lock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            channel.close();
            throw new StorageException(StorageException.Reason.FAILED, "cache " + dir,
                    "in use by another cache (expected: a directory of its own for each worker process; --cache-dir)", null);
        }
        return l;
    }

    private static String name(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                b.append(String.format("%02x", d[i]));
            }
            return b.append(SUFFIX).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256: missing (expected: in every JDK)", e);
        }
    }
}
