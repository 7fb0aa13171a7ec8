package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.FileCache;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.StorageException;
import io.jhdf.HdfFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * Opens HDF5 files for {@link Hdf5Reader}'s handle cache: a local file in place, or an object as a
 * leased whole copy in the storage's file cache (after checking its ETag against the recorded one).
 * Either way the HDF5 signature is checked first.
 */
final class Hdf5Opener {
    /** The HDF5 signature, which starts a file or a user block boundary (offset 0, 512, 1024, 2048...). */
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private final FileAccess access;

    Hdf5Opener(FileAccess access) {
        this.access = access;
    }

    /**
     * Opens the file of an id (a real path, or {@code s3://bucket/key}).
     *
     * @param id the id
     * @param closeIdle closes the cache's idle handles, returning how many (to free the file cache)
     */
    Handle open(String id, IntSupplier closeIdle) {
        return access.isRemote() ? openRemote(id, closeIdle) : openLocal(Path.of(id));
    }

    private static Handle openLocal(Path path) {
        checkSignature(path);
        return new Handle(path.toString(), new HdfFile(path), null, false);
    }

    /**
     * Opens an object: its ETag from the store (checked against the recorded one), then a leased whole
     * copy from the file cache (downloaded if the cache holds none with that ETag), opened by jhdf.
     */
    private Handle openRemote(String id, IntSupplier closeIdle) {
        DatasetLocation remote = access.location();
        String key = id.substring(DatasetLocation.S3_SCHEME.length() + remote.bucket().length() + 1);
        S3Store store = access.storage().store();
        S3Store.ObjectInfo info = store.head(remote.bucket(), key);
        String file = key.substring(remote.prefix().isEmpty() ? 0 : remote.prefix().length() + 1);
        String recorded = access.recordedEtag(file);
        if (recorded != null && !recorded.equals(info.etag())) {
            throw new StorageException(StorageException.Reason.CHANGED, id, "ETag " + info.etag()
                    + " (expected: " + recorded + ", recorded by bin/batcher index; index the dataset again)", null);
        }
        FileCache.Lease lease;
        try {
            lease = access.storage().cache().acquire(id, info.etag(), info.size(),
                    target -> store.download(remote.bucket(), key, info.etag(), target));
        } catch (StorageException e) {
            // Open files lease their cached copies: close the idle ones here and try once more.
            if (e.getReason() != StorageException.Reason.CACHE_TOO_SMALL || closeIdle.getAsInt() == 0) {
                throw e;
            }
            lease = access.storage().cache().acquire(id, info.etag(), info.size(),
                    target -> store.download(remote.bucket(), key, info.etag(), target));
        }
        try {
            checkSignature(lease.path());
            return new Handle(id, new HdfFile(lease.path()), lease, !lease.hit());
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Looks for the HDF5 signature where the format allows it (offset 0, 512, 1024, ...) before jhdf
     * opens the file: jhdf leaves its channel open when a file is not HDF5 at all.
     */
    private static void checkSignature(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer buffer = ByteBuffer.allocate(SIGNATURE.length);
            for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) < 0) {
                        break;
                    }
                }
                if (!buffer.hasRemaining() && Arrays.equals(buffer.array(), SIGNATURE)) {
                    return;
                }
            }
            throw new NotHdf5Exception(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Thrown by {@link #checkSignature}; translated into a {@link RecordingReadException}. */
    private static final class NotHdf5Exception extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotHdf5Exception(long size) {
            super("no HDF5 signature in " + size + " bytes; not an HDF5 file", null, false, false);
        }
    }
}
