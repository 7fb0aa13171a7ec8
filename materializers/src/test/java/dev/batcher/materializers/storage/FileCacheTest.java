package dev.batcher.materializers.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file cache's rules: bounded by bytes, atomic writes, ETag validation, no eviction in use, clear errors. */
class FileCacheTest {
    @TempDir
    Path dir;

    private final AtomicInteger downloads = new AtomicInteger();

    private FileCache.Downloader bytes(int n) {
        return target -> {
            downloads.incrementAndGet();
            try {
                Files.write(target, new byte[n]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void acquire_beyondTheBound_evictsTheLeastRecentlyUsedUnleasedEntry() throws IOException {
        FileCache cache = new FileCache(dir, 300);
        cache.acquire("s3://b/a", "e1", 100, bytes(100)).close();
        cache.acquire("s3://b/b", "e1", 100, bytes(100)).close();
        cache.acquire("s3://b/a", "e1", 100, bytes(100)).close(); // a is now the most recent
        cache.acquire("s3://b/c", "e1", 150, bytes(150)).close(); // evicts b
        assertEquals(java.util.Set.of("s3://b/a", "s3://b/c"), cache.objects());
        FileCache.Stats s = cache.stats();
        assertEquals(250, s.bytes());
        assertTrue(s.bytes() <= s.maxBytes());
        assertEquals(1, s.evictions());
        assertEquals(1, s.hits());
        assertEquals(3, s.misses());
        assertTrue(consistentOnDisk(cache));
    }

    @Test
    void acquire_roomHeldByLeasedFiles_neverEvictsThem_andFailsClearly() throws IOException {
        FileCache cache = new FileCache(dir, 250);
        FileCache.Lease a = cache.acquire("s3://b/a", "e1", 100, bytes(100));
        FileCache.Lease b = cache.acquire("s3://b/b", "e1", 100, bytes(100));
        StorageException e = assertThrows(StorageException.class, () -> cache.acquire("s3://b/c", "e1", 100, bytes(100)));
        assertEquals(StorageException.Reason.CACHE_TOO_SMALL, e.getReason());
        assertEquals("s3://b/c: needs 100 bytes of cache, but 200 of its 250 bytes hold files being read (expected: "
                + "a cache that holds the files read at once, at least 300 bytes; --cache-bytes)", e.getMessage());
        assertTrue(Files.exists(a.path()) && Files.exists(b.path()), "files being read stay");
        assertEquals(100, Files.size(a.path()));
        a.close();
        try (FileCache.Lease c = cache.acquire("s3://b/c", "e1", 100, bytes(100))) {
            assertFalse(Files.exists(a.path()), "a, no longer leased, made room");
            assertTrue(Files.exists(b.path()));
            assertTrue(Files.exists(c.path()));
        }
        b.close();
    }

    @Test
    void acquire_objectLargerThanTheCache_failsSayingHowBigItMustBe() {
        FileCache cache = new FileCache(dir, 100);
        StorageException e = assertThrows(StorageException.class, () -> cache.acquire("s3://b/big", "e1", 101, bytes(101)));
        assertEquals(StorageException.Reason.CACHE_TOO_SMALL, e.getReason());
        assertTrue(e.getMessage().contains("give the worker a cache of at least 101 bytes"), e.getMessage());
        assertEquals(0, downloads.get(), "nothing fetched in vain");
    }

    @Test
    void acquire_anotherEtag_downloadsAfresh_andDropsTheStaleCopy() {
        FileCache cache = new FileCache(dir, 1000);
        Path old;
        try (FileCache.Lease a = cache.acquire("s3://b/a", "e1", 100, bytes(100))) {
            old = a.path();
        }
        try (FileCache.Lease a = cache.acquire("s3://b/a", "e2", 120, bytes(120))) {
            assertFalse(a.hit());
            assertFalse(Files.exists(old), "the copy with the old ETag is gone");
        }
        assertEquals(120, cache.stats().bytes());
        assertEquals(2, downloads.get());
    }

    @Test
    void acquire_downloadFailsOrIsShort_leavesNoFileAndNoEntry() throws IOException {
        FileCache cache = new FileCache(dir, 1000);
        assertThrows(StorageException.class, () -> cache.acquire("s3://b/a", "e1", 100, bytes(99)));
        assertThrows(IllegalStateException.class, () -> cache.acquire("s3://b/a", "e1", 100, t -> {
            throw new IllegalStateException("network gone");
        }));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(".lock"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary or partial file left");
        }
        assertEquals(0, cache.stats().bytes());
        try (FileCache.Lease a = cache.acquire("s3://b/a", "e1", 100, bytes(100))) {
            assertEquals(100, Files.size(a.path()));
        }
    }

    @Test
    void constructor_directoryOwnedByAnotherCache_isRefused() {
        FileCache first = new FileCache(dir, 100);
        StorageException e = assertThrows(StorageException.class, () -> new FileCache(dir, 100));
        assertTrue(e.getMessage().contains("in use by another cache (expected: a directory of its own for each worker"),
                e.getMessage());
        first.release();
        new FileCache(dir, 100).release();
    }

    @Test
    void constructor_leftoversOfAnEarlierProcess_areDeleted() throws IOException {
        Files.write(dir.resolve("0123.obj"), new byte[10]);
        Files.write(dir.resolve(".download-1.tmp"), new byte[10]);
        Files.write(dir.resolve("keep.txt"), new byte[10]);
        new FileCache(dir, 100).release();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(".lock", "keep.txt"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void constructor_filesOfAnEarlierOwnerWithTheirRecords_areKeptAndServedAsHits() throws IOException {
        FileCache first = new FileCache(dir, 1000);
        first.acquire("s3://b/a", "e1", 100, bytes(100)).close();
        first.acquire("s3://b/c", "e1", 200, bytes(200)).close();
        first.release(); // the process ends (or is killed): nothing is deleted
        int before = downloads.get();

        FileCache second = new FileCache(dir, 1000);
        assertEquals(java.util.Set.of("s3://b/a", "s3://b/c"), second.objects());
        assertEquals(300, second.stats().bytes());
        try (FileCache.Lease a = second.acquire("s3://b/a", "e1", 100, bytes(100))) {
            assertTrue(a.hit(), "served from the earlier run's file");
        }
        assertEquals(before, downloads.get());
        try (FileCache.Lease c = second.acquire("s3://b/c", "e2", 200, bytes(200))) {
            assertFalse(c.hit(), "the object changed since (another ETag): fetched afresh");
        }
        assertEquals(java.util.Set.of("s3://b/a", "s3://b/c"), second.objects());
        assertTrue(consistentOnDisk(second));
        second.release();
    }

    @Test
    void constructor_recordThatDoesNotMatchItsFile_fileDeleted() throws IOException {
        FileCache first = new FileCache(dir, 1000);
        Path file;
        try (FileCache.Lease a = first.acquire("s3://b/a", "e1", 100, bytes(100))) {
            file = a.path();
        }
        first.release();
        Files.write(file, new byte[50]); // cut short behind the cache's back

        FileCache second = new FileCache(dir, 1000);
        assertEquals(java.util.Set.of(), second.objects());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(".lock"), files.map(p -> p.getFileName().toString()).toList());
        }
        second.release();
    }

    @Test
    void constructor_earlierFilesBeyondASmallerBound_oldestDeleted() throws IOException {
        FileCache first = new FileCache(dir, 1000);
        first.acquire("s3://b/old", "e1", 100, bytes(100)).close();
        Files.setLastModifiedTime(dir.resolve(first.acquire("s3://b/old", "e1", 100, bytes(100)).path().getFileName()),
                java.nio.file.attribute.FileTime.fromMillis(1000));
        first.acquire("s3://b/new", "e1", 100, bytes(100)).close();
        first.release();

        FileCache second = new FileCache(dir, 150);
        assertEquals(java.util.Set.of("s3://b/new"), second.objects());
        assertTrue(consistentOnDisk(second));
        second.release();
    }

    /** Whether the cache's object files on disk are exactly its entries. */
    private static boolean consistentOnDisk(FileCache cache) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(cache.dir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(FileCache.SUFFIX)).count() == cache.stats().files();
        }
    }
}
