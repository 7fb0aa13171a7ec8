package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.FormatHooks;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingFormats;
import dev.batcher.materializers.format.RecordingReadException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Test access to the HDF5 reader behind a {@link RecordingFiles}: read paths, counters, handles. */
final class Hdf5Hooks {
    private Hdf5Hooks() {
    }

    /** A reader over {@code roots} with the HDF5 contiguous fast path on or off. */
    static RecordingFiles files(List<Path> roots, int maxOpenFiles, boolean fastPath) {
        return new RecordingFiles(roots, maxOpenFiles, RecordingFormats.defaults().with(new Hdf5Format(fastPath)));
    }

    /** The HDF5 reader (opened by the files' first HDF5 read; the hooks still see it after close). */
    private static Hdf5Reader reader(RecordingFiles files) {
        return (Hdf5Reader) FormatHooks.reader(files, Hdf5Format.NAME);
    }

    /** How the reader reads windows of a signal dataset. */
    static Hdf5Reader.ReadPath readPath(RecordingFiles files, String file, String dataset) {
        Hdf5Reader r = reader(files);
        String path = RecordingFiles.normalizeDataset(dataset);
        if (r.ranged(file, path)) {
            return Hdf5Reader.ReadPath.CONTIGUOUS;
        }
        return r.withDataset(file, path, handle -> {
            io.jhdf.api.Dataset ds = handle.dataset(path, p -> (io.jhdf.api.Dataset) handle.file.getByPath(p));
            MetadataParser.signalType(file, path, ds);
            return r.fastPath() && handle.contiguous(path, ds) != null
                    ? Hdf5Reader.ReadPath.CONTIGUOUS : Hdf5Reader.ReadPath.JHDF;
        });
    }

    static long contiguousReads(RecordingFiles files) {
        return reader(files).readCounts()[0];
    }

    static long jhdfReads(RecordingFiles files) {
        return reader(files).readCounts()[1];
    }

    static int openFiles(RecordingFiles files) {
        return reader(files).cache().openFiles();
    }

    static int cachedFiles(RecordingFiles files) {
        return reader(files).cache().cachedFiles();
    }

    /** Closes the channel of the cached handle of {@code file}, as an interrupt in another thread would. */
    static void breakChannel(RecordingFiles files, String file) throws IOException {
        HandleCache cache = reader(files).cache();
        Handle handle;
        try {
            handle = cache.acquire(files.resolve(file).toString());
        } catch (RecordingReadException e) {
            throw new IOException(e);
        }
        try {
            handle.file.getHdfBackingStorage().getFileChannel().close();
        } finally {
            cache.release(handle);
        }
    }
}
