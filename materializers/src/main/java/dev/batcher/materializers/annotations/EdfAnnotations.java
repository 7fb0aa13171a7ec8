package dev.batcher.materializers.annotations;

import dev.batcher.materializers.storage.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the annotations of an EDF+ or BDF+ file: the time-stamped annotation lists (TALs) of its
 * {@code EDF Annotations} (or {@code BDF Annotations}) signals, per the EDF+ specification (section
 * 2.2). A TAL is {@code +onset[\x15duration]\x14text\x14[text\x14...]\x00}; onsets are seconds from
 * the file's start date and time. The first annotation of the first TAL of each data record, which is
 * empty and only says when the record starts (time keeping), is not returned; annotations sharing a
 * TAL are returned one by one, with the TAL's onset and duration.
 *
 * <p>Works for a separate annotation file (a Sleep-EDF {@code *-Hypnogram.edf}, whose header may
 * differ from its recording's: another start time, one long data record, no ordinary signals) and for
 * a signal file with an annotation signal. Only the header and the annotation signals' bytes are
 * decoded; data records are read in blocks of at most {@value #BLOCK_BYTES} bytes, so memory stays
 * bounded whatever the file's size.
 */
public final class EdfAnnotations {
    static final int BLOCK_BYTES = 4 << 20;
    private static final byte TAL_END = 0;
    private static final byte SEPARATOR = 0x14;
    private static final byte DURATION = 0x15;

    private EdfAnnotations() {
    }

    /**
     * What an annotation file holds.
     *
     * @param start the file's start date and time, from its header
     * @param annotations its annotations, in file order (data record, then position in the record),
     *     onsets relative to {@code start}
     */
    public record Contents(LocalDateTime start, List<Annotation> annotations) {
        /** Copies the list. */
        public Contents {
            annotations = List.copyOf(annotations);
        }
    }

    /**
     * Reads every annotation of an EDF+/BDF+ file. A file without an annotation signal (plain EDF or
     * BDF) has none.
     *
     * @param source the file
     * @return its start and annotations
     * @throws AnnotationException if the header is malformed (the message names the field and its
     *     value), a TAL is malformed (naming the data record and the bytes), the file is shorter than
     *     its header says, or it cannot be read
     */
    public static Contents read(ByteSource source) {
        EdfHeader h = EdfHeader.read(source);
        List<Annotation> out = new ArrayList<>();
        if (h.annotationSignals().isEmpty()) {
            return new Contents(h.start(), out);
        }
        int perBlock = (int) Math.max(1, Math.min(h.records(), BLOCK_BYTES / Math.max(1, h.recordBytes())));
        for (long first = 0; first < h.records(); first += perBlock) {
            int count = (int) Math.min(perBlock, h.records() - first);
            ByteBuffer block = readRecords(source, h, first, count);
            for (int r = 0; r < count; r++) {
                long record = first + r;
                for (int s : h.annotationSignals()) {
                    int from = r * h.recordBytes() + h.signalOffset(s);
                    parseSignal(block, from, h.signalBytes(s), source.describe(), record, out);
                }
            }
        }
        return new Contents(h.start(), out);
    }

    /**
     * Reads only the start date and time of an EDF/BDF file's header, for aligning a separate
     * annotation file with its recording.
     *
     * @param source the file
     * @return the start date and time
     * @throws AnnotationException if the header is malformed or cannot be read
     */
    public static LocalDateTime start(ByteSource source) {
        return EdfHeader.read(source).start();
    }

    private static ByteBuffer readRecords(ByteSource source, EdfHeader h, long first, int count) {
        ByteBuffer block = ByteBuffer.allocate(count * h.recordBytes());
        long position = h.headerBytes() + first * h.recordBytes();
        try {
            source.readFully(block, position);
        } catch (EOFException e) {
            throw new AnnotationException(source.describe() + ": file ends within data records [" + first + ", "
                    + (first + count) + ") (expected: " + h.records() + " data records of " + h.recordBytes()
                    + " bytes after a " + h.headerBytes() + "-byte header, as the header says; the file is truncated)", e);
        } catch (IOException e) {
            throw new AnnotationException(source.describe() + ": cannot be read: " + e.getMessage(), e);
        }
        return block;
    }

    /** Parses the TALs of one annotation signal in one data record. */
    private static void parseSignal(ByteBuffer block, int from, int length, String file, long record, List<Annotation> out) {
        String locator = "data record " + record;
        int end = from + length;
        int pos = from;
        while (pos < end && block.get(pos) != TAL_END) {
            int talEnd = pos;
            while (talEnd < end && block.get(talEnd) != TAL_END) {
                talEnd++;
            }
            if (talEnd == end) {
                throw new AnnotationException(file + ", " + locator + ": TAL '" + printable(block, pos, end)
                        + "' (expected: a TAL ending with byte 0 within the annotation signal's " + length + " bytes)");
            }
            parseTal(block, pos, talEnd, file, locator, out);
            pos = talEnd + 1;
        }
    }

    private static void parseTal(ByteBuffer block, int from, int to, String file,
                                 String locator, List<Annotation> out) {
        String tal = new String(bytes(block, from, to), StandardCharsets.UTF_8);
        int firstSeparator = tal.indexOf(SEPARATOR);
        if (firstSeparator < 0 || !tal.endsWith(String.valueOf((char) SEPARATOR)) || tal.isEmpty()
                || (tal.charAt(0) != '+' && tal.charAt(0) != '-')) {
            throw new AnnotationException(file + ", " + locator + ": TAL '" + printable(block, from, to)
                    + "' (expected: +onset[\\x15duration]\\x14text\\x14...\\x00 with the onset's sign, per EDF+ section 2.2.2)");
        }
        String time = tal.substring(0, firstSeparator);
        int d = time.indexOf(DURATION);
        String where = file + ", " + locator;
        long onset = Seconds.parse(d < 0 ? time : time.substring(0, d), where, "TAL onset");
        long duration = Annotation.NO_DURATION;
        if (d >= 0) {
            String text = time.substring(d + 1);
            if (text.startsWith("+") || text.startsWith("-")) {
                throw new AnnotationException(where + ": TAL duration: '" + text + "' (expected: an unsigned number of seconds)");
            }
            duration = Seconds.parse(text, where, "TAL duration");
        }
        String[] texts = tal.substring(firstSeparator + 1, tal.length() - 1).split(String.valueOf((char) SEPARATOR), -1);
        for (int i = 0; i < texts.length; i++) {
            String text = texts[i].strip();
            if (text.isEmpty()) {
                // The time-keeping annotation that opens each record is empty, as are padding annotations.
                continue;
            }
            out.add(new Annotation(onset, duration, text, file, locator));
        }
    }

    private static byte[] bytes(ByteBuffer block, int from, int to) {
        byte[] b = new byte[to - from];
        block.get(from, b);
        return b;
    }

    /** Shows bytes with control characters escaped, at most 80 of them. */
    private static String printable(ByteBuffer block, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < Math.min(to, from + 80); i++) {
            int b = block.get(i) & 0xFF;
            s.append(b < 0x20 || b >= 0x7F ? String.format("\\x%02x", b) : String.valueOf((char) b));
        }
        return to - from > 80 ? s + "..." : s.toString();
    }

    /** Parses the header's start date and time (dd.mm.yy, hh.mm.ss; years 85-99 are 19yy, 00-84 20yy). */
    static LocalDateTime start(String date, String time, String file) {
        try {
            String[] d = date.strip().split("\\.");
            String[] t = time.strip().split("\\.");
            if (d.length != 3 || t.length != 3) {
                throw new NumberFormatException();
            }
            int yy = Integer.parseInt(d[2]);
            return LocalDateTime.of(yy >= 85 ? 1900 + yy : 2000 + yy, Integer.parseInt(d[1]), Integer.parseInt(d[0]),
                    Integer.parseInt(t[0]), Integer.parseInt(t[1]), Integer.parseInt(t[2]));
        } catch (NumberFormatException | DateTimeException e) {
            throw new AnnotationException(file + ": header start date/time: '" + date + "' '" + time
                    + "' (expected: dd.mm.yy and hh.mm.ss)", e);
        }
    }
}
