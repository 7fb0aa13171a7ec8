package dev.batcher.materializers.onda;

import com.github.luben.zstd.ZstdInputStream;
import dev.batcher.materializers.storage.ByteSource;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.FileCache;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of a dataset's sample files, by position in the decompressed LPCM stream.
 *
 * <ul>
 *   <li>{@code lpcm}, local: one positional read of the file per window.
 *   <li>{@code lpcm}, S3: one ranged GET per window, checked against the ETag seen when the dataset
 *       was opened (If-Match).
 *   <li>{@code lpcm.zst}, local or S3: zstd streams cannot be entered in the middle, so the file is
 *       decompressed once, whole, into the {@link Storage}'s bounded {@link FileCache} (keyed by the
 *       object's ETag, or a local file's size and modification time), and windows are positional reads
 *       of that copy while it is leased. An S3 object is downloaded beside the entry first and deleted
 *       once decompressed.
 * </ul>
 *
 * Thread-safe.
 */
final class SampleFiles {
    private final DatasetLocation dataset;
    private final Storage storage;
    /** Local real paths, or S3 ETags, by file name, learned by {@link #check}. */
    private final ConcurrentHashMap<String, String> seen = new ConcurrentHashMap<>();
    /** The objects of an S3 dataset as listed when it was opened (saves a HEAD per file), else empty. */
    private final java.util.Map<String, S3Store.ObjectInfo> listed;

    SampleFiles(DatasetLocation dataset, Storage storage, java.util.Map<String, S3Store.ObjectInfo> listed) {
        this.dataset = dataset;
        this.storage = storage;
        this.listed = listed;
    }

    /** Returns how a user names a sample file. */
    String describe(OndaSignal s) {
        return dataset.describe(s.file());
    }

    /**
     * Checks that a signal's sample file exists (and, for {@code lpcm}, holds exactly the bytes its span
     * implies: a shorter file is truncated).
     *
     * @throws OndaException naming the file and what was expected
     */
    void check(OndaSignal s) {
        long size;
        if (dataset.isS3()) {
            S3Store.ObjectInfo info = listed.get(s.file());
            try {
                info = info != null ? info : storage.store().head(dataset.bucket(), dataset.key(s.file()));
            } catch (StorageException e) {
                throw new OndaException(describe(s), "sample file of signal " + s.sensorLabel() + " of recording "
                        + s.recording() + ": " + e.getMessage(), e);
            }
            seen.put(s.file(), info.etag() == null ? "" : info.etag());
            size = info.size();
        } else {
            Path real;
            try {
                real = DatasetRoots.resolveInside(dataset.local(), s.file());
            } catch (StorageException e) {
                throw new OndaException(describe(s), "file_path '" + s.filePath() + "': " + e.getMessage(), e);
            }
            if (real == null || !Files.isRegularFile(real)) {
                throw new OndaException(describe(s), "sample file of signal " + s.sensorLabel() + " of recording "
                        + s.recording() + ": not found (expected: the file file_path '" + s.filePath() + "' names)", null);
            }
            seen.put(s.file(), real.toString());
            try {
                size = Files.size(real);
            } catch (IOException e) {
                throw new OndaException(describe(s), "size: unreadable (" + e + ")", e, false);
            }
        }
        if (s.format() == OndaSignal.Format.LPCM && size != s.dataBytes()) {
            throw new OndaException(describe(s), sizeMessage("size", s, Long.toString(size), size < s.dataBytes()), null);
        }
    }

    private static String sizeMessage(String what, OndaSignal s, String size, boolean shorter) {
        return what + ": " + size + " bytes (expected: " + s.dataBytes() + " = " + s.samples() + " samples x "
                + s.channels().size() + " channels x " + s.sampleType().width() + " bytes of " + s.sampleType().ondaName()
                + ", as span [" + s.span().startNanos() + ", " + s.span().stopNanos() + ") ns at " + s.sampleRate()
                + " Hz implies; " + (shorter ? "the file is truncated)" : "the file holds more than its span)");
    }

    /**
     * Fills {@code dst} with the decompressed sample bytes from {@code position}.
     *
     * @throws OndaException if the file ends early (truncated since it was checked) or is corrupt
     * @throws StorageException if the object is missing, changed or unavailable
     */
    void read(OndaSignal s, ByteBuffer dst, long position) throws IOException {
        String known = seen.get(s.file());
        if (known == null) {
            check(s);
            known = seen.get(s.file());
        }
        try {
            if (s.format() == OndaSignal.Format.LPCM_ZST) {
                readCached(s, known, dst, position);
            } else if (dataset.isS3()) {
                storage.countRanged();
                storage.store().source(dataset.bucket(), dataset.key(s.file()), known.isEmpty() ? null : known)
                        .readFully(dst, position);
            } else {
                try (FileChannel ch = FileChannel.open(Path.of(known), StandardOpenOption.READ)) {
                    ByteSource.of(ch, known).readFully(dst, position);
                }
            }
        } catch (EOFException e) {
            throw new OndaException(describe(s), "read of bytes [" + position + ", " + (position + dst.limit())
                    + "): " + e.getMessage() + " (expected: " + s.dataBytes() + " bytes; the file is truncated)", e);
        }
    }

    private void readCached(OndaSignal s, String known, ByteBuffer dst, long position) throws IOException {
        String name = describe(s);
        String stamp;
        if (dataset.isS3()) {
            stamp = known;
        } else {
            Path p = Path.of(known);
            stamp = Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
        }
        FileCache.Lease lease = storage.cache().acquire(name + "#decompressed", stamp, s.dataBytes(),
                target -> decompress(s, known, target));
        try (lease; FileChannel ch = FileChannel.open(lease.path(), StandardOpenOption.READ)) {
            storage.countCached(lease.hit());
            ByteSource.of(ch, name).readFully(dst, position);
        }
    }

    private void decompress(OndaSignal s, String known, Path target) {
        Path compressed = null;
        try {
            if (dataset.isS3()) {
                compressed = target.resolveSibling(target.getFileName() + ".zst");
                storage.store().download(dataset.bucket(), dataset.key(s.file()), known.isEmpty() ? null : known, compressed);
            }
            Path from = compressed != null ? compressed : Path.of(known);
            long n;
            try (InputStream in = new ZstdInputStream(Files.newInputStream(from));
                 OutputStream out = Files.newOutputStream(target)) {
                n = copyAtMost(in, out, s.dataBytes() + 1);
            }
            if (n != s.dataBytes()) {
                throw new OndaException(describe(s), sizeMessage("decompressed size", s,
                        n > s.dataBytes() ? "more than " + s.dataBytes() : Long.toString(n), n < s.dataBytes()), null);
            }
        } catch (IOException e) {
            throw new OndaException(describe(s), "zstd: " + e.getMessage()
                    + " (expected: a complete zstd stream of interleaved LPCM samples; the file is corrupt or truncated)", e);
        } finally {
            if (compressed != null) {
                try {
                    Files.deleteIfExists(compressed);
                } catch (IOException e) {
                    // the cache directory is cleaned at the next start
                }
            }
        }
    }

    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[256 << 10];
        long total = 0;
        for (int r; total < limit && (r = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) >= 0; ) {
            out.write(buffer, 0, r);
            total += r;
        }
        return total;
    }
}
