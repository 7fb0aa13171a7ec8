package dev.batcher.materializers.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batcher.materializers.storage.ByteSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(300)
class EdfAnnotationsTest {
    @TempDir
    Path tmp;

    static EdfAnnotations.Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return EdfAnnotations.read(ByteSource.of(ch, file.getFileName().toString()));
        }
    }

    /** A Sleep-EDF-like hypnogram: one long record, stages as TALs with durations. */
    static EdfPlusWriter hypnogram() {
        return new EdfPlusWriter().records(1, 0).annotationBytes(2048)
                .tal(0, "+0", "30", "Sleep stage W")
                .tal(0, "+30", "90", "Sleep stage 1")
                .tal(0, "+120", "60", "Sleep stage 2")
                .tal(0, "+180", "30", "Sleep stage 3")
                .tal(0, "+210", "30", "Sleep stage 4")
                .tal(0, "+240", "30", "Movement time")
                .tal(0, "+270", "60", "Sleep stage R")
                .tal(0, "+330", "1020", "Sleep stage ?");
    }

    @Test
    void read_sleepEdfHypnogram_equalsMne() throws Exception {
        Path file = hypnogram().start(LocalDateTime.of(1989, 4, 24, 16, 13, 0)).write(tmp.resolve("SC4001EC-Hypnogram.edf"));
        EdfAnnotations.Contents c = read(file);
        assertEquals(LocalDateTime.of(1989, 4, 24, 16, 13, 0), c.start());
        assertEquals(8, c.annotations().size());
        assertEquals("Sleep stage 1", c.annotations().get(1).text());
        assertEquals(30_000_000_000L, c.annotations().get(1).onsetNanos());
        assertEquals(90_000_000_000L, c.annotations().get(1).durationNanos());
        assertEquals("data record 0", c.annotations().get(1).locator());
        assertEquals(MneReference.annotations(file, tmp), lines(c.annotations()));
    }

    @Test
    void read_signalFileWithAnnotationSignal_skipsTimeKeepingAndEqualsMne() throws Exception {
        Path file = new EdfPlusWriter().records(4, 30).signal(300)
                .tal(0, "+0", "30", "Sleep stage W")
                .tal(1, "+30", "30", "Sleep stage 2", "Lights off")   // two annotations in one TAL
                .tal(2, "+60.125", null, "Arousal")                    // no duration, a fraction of a second
                .tal(3, "+90", "30", "Sleep stage R")
                .write(tmp.resolve("night.edf"));
        List<Annotation> a = read(file).annotations();
        assertEquals(List.of("Sleep stage W", "Sleep stage 2", "Lights off", "Arousal", "Sleep stage R"),
                a.stream().map(Annotation::text).toList(), "the four empty time-keeping annotations are not events");
        assertEquals(30_000_000_000L, a.get(2).onsetNanos());
        assertEquals(Annotation.NO_DURATION, a.get(3).durationNanos());
        assertEquals(60_125_000_000L, a.get(3).onsetNanos());
        assertEquals("data record 2", a.get(3).locator());
        assertEquals(MneReference.annotations(file, tmp), lines(a));
    }

    @Test
    void read_bdfPlus_equalsMne() throws Exception {
        Path file = new EdfPlusWriter().bdf().annotationBytes(999).records(2, 1).signal(256)
                .tal(0, "+0.5", "0.25", "Stimulus")
                .tal(1, "+1.75", "0", "Response")
                .write(tmp.resolve("task.bdf"));
        List<Annotation> a = read(file).annotations();
        assertEquals(2, a.size());
        assertEquals(MneReference.annotations(file, tmp), lines(a));
    }

    @Test
    void read_manyRecords_readsInBoundedBlocksAndKeepsOrder() throws Exception {
        // 3000 records of 2,024 bytes: more than one block of EdfAnnotations.BLOCK_BYTES.
        EdfPlusWriter w = new EdfPlusWriter().records(3000, 1).signal(500).annotationBytes(1024);
        for (int r = 0; r < 3000; r += 7) {
            w.tal(r, "+" + r, "1", "event " + r);
        }
        Path file = w.write(tmp.resolve("long.edf"));
        assertTrue(Files.size(file) > EdfAnnotations.BLOCK_BYTES, "the test needs several blocks");
        List<Annotation> a = read(file).annotations();
        assertEquals(429, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals("event " + 7 * i, a.get(i).text());
            assertEquals("data record " + 7 * i, a.get(i).locator());
        }
    }

    @Test
    void read_biosigReadsTheSameEvents() throws Exception {
        // biosig (save2gdf) is an independent reader. Converting with it to EDF or BDF drops the
        // annotations (checked: save2gdf -f=EDF writes a plain EDF with none), so we compare with the
        // events its JSON header dump lists. biosig keeps event positions in samples of the signal's
        // rate, so the file has 100 Hz (3000 samples a record) and onsets on that grid.
        Path file = new EdfPlusWriter().records(3, 30).signal(3000).annotationBytes(256)
                .tal(0, "+0", "30", "Sleep stage W")
                .tal(1, "+30", "30", "Sleep stage 2")
                .tal(2, "+60.5", "29.5", "Sleep stage 3")
                .write(tmp.resolve("biosig.edf"));
        Process p = new ProcessBuilder("save2gdf", "-JSON", file.toString()).redirectErrorStream(false).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "save2gdf finishes");
        assertEquals(0, p.exitValue(), "save2gdf -JSON (apt-get install biosig-tools): " + json);
        JsonNode events = new ObjectMapper().readTree(json.substring(0, json.lastIndexOf('}') + 1)).get("EVENT");
        List<Annotation> a = read(file).annotations();
        assertEquals(a.size(), events.size(), json);
        for (int i = 0; i < a.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals(a.get(i).text(), e.get("Description").asText());
            assertEquals(a.get(i).onsetSeconds(), e.get("POS").asDouble(), 1e-4);
            assertEquals(a.get(i).durationSeconds(), e.get("DUR").asDouble(), 1e-4);
        }
    }

    @Test
    void read_plainEdfWithoutAnnotationSignal_hasNone() throws Exception {
        byte[] b = new EdfPlusWriter().records(1, 30).signal(100).bytes();
        // Rename the annotation signal: a plain EDF file with two ordinary signals.
        int labels = 256 + 16;
        System.arraycopy("Resp oro-nasal  ".getBytes(StandardCharsets.US_ASCII), 0, b, labels, 16);
        Path file = Files.write(tmp.resolve("plain.edf"), b);
        assertEquals(List.of(), read(file).annotations());
    }

    @Test
    void read_talWithoutSign_failsNamingRecordAndBytes() throws Exception {
        Path file = new EdfPlusWriter().raw(0, "30\u0014Sleep stage W\u0014\0".getBytes(StandardCharsets.US_ASCII))
                .write(tmp.resolve("bad.edf"));
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(file));
        assertEquals("bad.edf, data record 0: TAL '30\\x14Sleep stage W\\x14' (expected: +onset[\\x15duration]\\x14text\\x14...\\x00"
                + " with the onset's sign, per EDF+ section 2.2.2)", e.getMessage());
    }

    @Test
    void read_unterminatedTal_fails() throws Exception {
        byte[] b = new EdfPlusWriter().annotationBytes(64).bytes();
        Arrays.fill(b, b.length - 64, b.length, (byte) 'x');
        Path file = Files.write(tmp.resolve("open.edf"), b);
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(file));
        assertTrue(e.getMessage().startsWith("open.edf, data record 0: TAL 'xxxx"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(expected: a TAL ending with byte 0 within the annotation signal's 64 bytes)"),
                e.getMessage());
    }

    @Test
    void read_badOnsetOrSignedDuration_failsNamingTheField() throws Exception {
        Path onset = new EdfPlusWriter().tal(0, "+3O", "30", "Sleep stage W").write(tmp.resolve("onset.edf"));
        assertEquals("onset.edf, data record 0: TAL onset: '+3O' (expected: a decimal number of seconds)",
                assertThrows(AnnotationException.class, () -> read(onset)).getMessage());
        Path duration = new EdfPlusWriter().tal(0, "+30", "-30", "Sleep stage W").write(tmp.resolve("duration.edf"));
        assertEquals("duration.edf, data record 0: TAL duration: '-30' (expected: an unsigned number of seconds)",
                assertThrows(AnnotationException.class, () -> read(duration)).getMessage());
    }

    @Test
    void read_truncatedFile_failsNamingTheRecords() throws Exception {
        byte[] b = new EdfPlusWriter().records(3, 30).signal(100).bytes();
        Path file = Files.write(tmp.resolve("cut.edf"), Arrays.copyOf(b, b.length - 10));
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(file));
        assertEquals("cut.edf: file ends within data records [0, 3) (expected: 3 data records of 1224 bytes after a "
                + "768-byte header, as the header says; the file is truncated)", e.getMessage());
    }

    @Test
    void read_recordCountMinusOne_failsNamingTheField() throws Exception {
        byte[] b = new EdfPlusWriter().bytes();
        System.arraycopy("-1      ".getBytes(StandardCharsets.US_ASCII), 0, b, 236, 8);
        Path file = Files.write(tmp.resolve("open.edf"), b);
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(file));
        assertEquals("open.edf: header number of data records: -1 (expected: an integer in [0, 9223372036854775807]; "
                + "-1 means the recording was not closed properly, fix the header)", e.getMessage());
    }

    @Test
    void read_notEdf_failsNamingTheVersion() throws Exception {
        Path file = Files.write(tmp.resolve("x.edf"), new byte[512]);
        AnnotationException e = assertThrows(AnnotationException.class, () -> read(file));
        assertTrue(e.getMessage().startsWith("x.edf: header version: "), e.getMessage());
    }

    static List<String> lines(List<Annotation> a) {
        List<Annotation> sorted = new ArrayList<>(a);
        // MNE sorts by onset (stably).
        sorted.sort((x, y) -> Long.compare(x.onsetNanos(), y.onsetNanos()));
        return sorted.stream().map(MneReference::line).toList();
    }
}
