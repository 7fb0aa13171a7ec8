package dev.batcher.client.arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ArenaTest {
    @TempDir
    Path dir;

    @Test
    void create_anySlotSize_ownerOnlyFileOfAlignedSlotsWithTheDocumentedHeader() throws Exception {
        try (Arena a = Arena.create(dir, 7, 3, 10_000)) {
            assertEquals(dir.resolve("batcher-" + ProcessHandle.current().pid() + "-7.arena"), a.path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a.path())));
            assertEquals(12_288, a.slotBytes());
            assertEquals(4096 + 3 * 12_288, Files.size(a.path()));
            assertEquals(4096 + 2 * 12_288, a.offset(2));
            ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(a.path())).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            h.get(0, magic);
            assertEquals("BATCHARN", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(1, h.getInt(8));
            assertEquals(4096, h.getInt(12));
            assertEquals(3, h.getInt(16));
            assertEquals(12_288, h.getLong(24));
            assertEquals(ProcessHandle.current().pid(), h.getLong(32));
            ArenaView v = ArenaView.open(a.path(), false);
            assertEquals(3, v.slots());
            assertEquals(12_288, v.slotBytes());
            assertEquals(ProcessHandle.current().pid(), v.ownerPid());
        }
    }

    @Test
    void acquire_allSlotsTaken_returnsMinusOneUntilOneIsReleased() {
        try (Arena a = Arena.create(dir, 1, 2, 4096)) {
            int s0 = a.acquire();
            int s1 = a.acquire();
            assertEquals(List.of(0, 1), List.of(s0, s1));
            assertEquals(-1, a.acquire());
            assertEquals(0, a.free());
            a.release(s1);
            assertEquals(1, a.free());
            assertEquals(1, a.acquire());
            a.release(0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.release(0));
            assertTrue(e.getMessage().startsWith("slot 0 of "), e.getMessage());
        }
    }

    @Test
    void slot_writtenThroughAWorkersView_isReadInPlaceByAClientsView() {
        try (Arena a = Arena.create(dir, 2, 2, 8192)) {
            ArenaView worker = ArenaView.open(a.path(), true);
            ArenaView client = ArenaView.open(a.path(), false);
            ByteBuffer w = worker.slice(a.offset(1), 8).order(ByteOrder.LITTLE_ENDIAN);
            w.putFloat(0, 1.5f).putInt(4, -1);
            ByteBuffer r = client.slice(a.offset(1), 8).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1.5f, r.getFloat(0));
            assertEquals(-1, r.getInt(4));
            assertTrue(r.isReadOnly());
            assertEquals(1.5f, a.slot(1).order(ByteOrder.LITTLE_ENDIAN).getFloat(0));
        }
    }

    @Test
    void slice_rangeAcrossSlotsOrOutside_namesTheRange() {
        try (Arena a = Arena.create(dir, 3, 2, 4096)) {
            ArenaView v = ArenaView.open(a.path(), false);
            ArenaException e = assertThrows(ArenaException.class, () -> v.slice(4096 + 4000, 200));
            assertEquals("arena " + a.path() + ": range: offset 8096, 200 bytes (expected: inside one of 2 slots of 4096 bytes"
                    + " from offset 4096)", e.getMessage());
            assertThrows(ArenaException.class, () -> v.slice(0, 10));
            assertThrows(ArenaException.class, () -> v.slice(4096 + 2 * 4096, 1));
        }
    }

    @Test
    void open_notAnArena_namesTheField() throws Exception {
        Path f = dir.resolve("batcher-1-1.arena");
        Files.write(f, new byte[8192]);
        ArenaException e = assertThrows(ArenaException.class, () -> ArenaView.open(f, false));
        assertTrue(e.getMessage().contains("magic: "), e.getMessage());
        assertThrows(ArenaException.class, () -> ArenaView.open(dir.resolve("missing.arena"), false));
    }

    @Test
    void close_deletesTheFileAndFreesNoSlotAfterwards() {
        Arena a = Arena.create(dir, 4, 1, 100);
        int s = a.acquire();
        a.close();
        assertFalse(Files.exists(a.path()));
        a.release(s);
        assertEquals(-1, a.acquire());
        a.close();
    }

    @Test
    void create_aboveTwoGiB_explainsWhatToLower() {
        ArenaException e = assertThrows(ArenaException.class, () -> Arena.create(dir, 5, 300, 8_000_000));
        assertTrue(e.getMessage().contains("lower the batcher's capacity or batch size"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("batcher-" + ProcessHandle.current().pid() + "-5.arena")));
    }

    @Test
    void sweep_arenasOfDeadAndLiveOwners_deletesOnlyTheDeadOnes() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        assertTrue(dead.waitFor(10, TimeUnit.SECONDS));
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            Path deadFile = dir.resolve("batcher-" + dead.pid() + "-1.arena");
            Path liveFile = dir.resolve("batcher-" + live.pid() + "-1.arena");
            Path other = dir.resolve("notes.txt");
            Files.write(deadFile, new byte[1]);
            Files.write(liveFile, new byte[1]);
            Files.write(other, new byte[1]);
            try (Arena mine = Arena.create(dir, 9, 1, 1)) {
                assertEquals(List.of(deadFile), Arena.sweep(dir));
                assertTrue(Files.exists(liveFile));
                assertTrue(Files.exists(other));
                assertTrue(Files.exists(mine.path()));
            }
        } finally {
            live.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void viewsGet_arenaDeletedAndANewOneMapped_dropsTheDeletedOnesMapping() {
        ArenaViews views = new ArenaViews(false, 8);
        Arena first = Arena.create(dir, 11, 1, 4096);
        Arena second = Arena.create(dir, 12, 1, 4096);
        assertTrue(views.get(first.path()) == views.get(first.path()), "mapped once");
        views.get(second.path());
        assertEquals(2, views.size());
        first.close();
        try (Arena third = Arena.create(dir, 13, 1, 4096)) {
            views.get(third.path());
            assertEquals(2, views.size(), "the deleted arena's mapping is dropped");
        }
        second.close();
    }
}
