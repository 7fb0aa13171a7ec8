package dev.batcher.materializers.annotations;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small EDF+ / BDF+ files for tests: an annotation signal holding given TALs (plus the
 * time-keeping TAL that opens each data record), optionally after one ordinary signal of a sine wave.
 */
public final class EdfPlusWriter {
    private LocalDateTime start = LocalDateTime.of(2020, 1, 2, 22, 30, 0);
    private int records = 1;
    private double recordSeconds = 30;
    private int signalSamples;
    private boolean bdf;
    private boolean plain;
    private int annotationBytes = 1024;
    private final List<List<byte[]>> tals = new ArrayList<>();

    /** Sets the start date and time in the header. */
    public EdfPlusWriter start(LocalDateTime t) {
        start = t;
        return this;
    }

    /** Sets the number and length of data records. */
    public EdfPlusWriter records(int n, double seconds) {
        records = n;
        recordSeconds = seconds;
        return this;
    }

    /** Adds an ordinary signal (EEG Fpz-Cz) of {@code samples} per record before the annotations. */
    public EdfPlusWriter signal(int samples) {
        signalSamples = samples;
        return this;
    }

    /** Writes a plain EDF/BDF file: no annotation signal, no EDF+ mark (as Sleep-EDF's PSG files). */
    public EdfPlusWriter plain() {
        plain = true;
        return this;
    }

    /** Writes BDF+ (24-bit, {@code BDF Annotations}) instead of EDF+. */
    public EdfPlusWriter bdf() {
        bdf = true;
        return this;
    }

    /** Sets the annotation signal's bytes per record (even for EDF, a multiple of 3 for BDF). */
    public EdfPlusWriter annotationBytes(int n) {
        annotationBytes = n;
        return this;
    }

    /**
     * Adds a TAL to data record {@code record}, after its time-keeping TAL.
     *
     * @param record the data record
     * @param onset the onset as written, with its sign, e.g. {@code +30}
     * @param duration the duration as written, or null for none
     * @param texts the annotations
     */
    public EdfPlusWriter tal(int record, String onset, String duration, String... texts) {
        StringBuilder s = new StringBuilder(onset);
        if (duration != null) {
            s.append('\u0015').append(duration);
        }
        s.append('\u0014');
        for (String t : texts) {
            s.append(t).append('\u0014');
        }
        s.append('\0');
        return raw(record, s.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Adds raw TAL bytes to a record (for malformed files). */
    public EdfPlusWriter raw(int record, byte[] bytes) {
        while (tals.size() <= record) {
            tals.add(new ArrayList<>());
        }
        tals.get(record).add(bytes);
        return this;
    }

    /** Writes the file. */
    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** Returns the file's bytes. */
    public byte[] bytes() {
        int bps = bdf ? 3 : 2;
        if (plain && (signalSamples == 0 || !tals.isEmpty())) {
            throw new IllegalStateException("a plain file needs a signal and holds no TALs");
        }
        int ns = (signalSamples > 0 ? 1 : 0) + (plain ? 0 : 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String version = bdf ? "\u00ffBIOSEMI" : "0";
        out.writeBytes(field(version, 8).getBytes(StandardCharsets.ISO_8859_1));
        ascii(out, "X X X X", 80);
        ascii(out, "Startdate " + String.format("%02d-%s-%04d", start.getDayOfMonth(),
                start.getMonth().name().substring(0, 3), start.getYear()) + " X X X", 80);
        ascii(out, String.format("%02d.%02d.%02d", start.getDayOfMonth(), start.getMonthValue(), start.getYear() % 100), 8);
        ascii(out, String.format("%02d.%02d.%02d", start.getHour(), start.getMinute(), start.getSecond()), 8);
        ascii(out, String.valueOf(256 + 256 * ns), 8);
        ascii(out, plain ? "" : bdf ? "BDF+C" : "EDF+C", 44);
        ascii(out, String.valueOf(records), 8);
        ascii(out, number(recordSeconds), 8);
        ascii(out, String.valueOf(ns), 4);
        List<String[]> sig = new ArrayList<>();
        if (signalSamples > 0) {
            sig.add(new String[] {"EEG Fpz-Cz", "AgAgCl electrode", "uV", "-3276.8", "3276.7",
                bdf ? "-8388608" : "-32768", bdf ? "8388607" : "32767", "HP:0.1Hz", String.valueOf(signalSamples)});
        }
        if (!plain) {
            sig.add(new String[] {bdf ? "BDF Annotations" : "EDF Annotations", "", "", "-1", "1",
                bdf ? "-8388608" : "-32768", bdf ? "8388607" : "32767", "", String.valueOf(annotationBytes / bps)});
        }
        int[] widths = {16, 80, 8, 8, 8, 8, 8, 80, 8};
        for (int f = 0; f < widths.length; f++) {
            for (String[] s : sig) {
                ascii(out, s[f], widths[f]);
            }
        }
        for (int i = 0; i < ns; i++) {
            ascii(out, "", 32);
        }
        for (int r = 0; r < records; r++) {
            if (signalSamples > 0) {
                ByteBuffer b = ByteBuffer.allocate(signalSamples * bps).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < signalSamples; i++) {
                    int v = (int) Math.round(1000 * Math.sin(2 * Math.PI * 10 * (r * signalSamples + i) / signalSamples));
                    b.put((byte) v).put((byte) (v >> 8));
                    if (bdf) {
                        b.put((byte) (v >> 16));
                    }
                }
                out.writeBytes(b.array());
            }
            if (plain) {
                continue;
            }
            byte[] a = new byte[annotationBytes];
            byte[] keep = ("+" + number(r * recordSeconds) + "\u0014\u0014\0").getBytes(StandardCharsets.US_ASCII);
            int pos = 0;
            System.arraycopy(keep, 0, a, pos, keep.length);
            pos += keep.length;
            for (byte[] t : r < tals.size() ? tals.get(r) : List.<byte[]>of()) {
                if (pos + t.length > a.length) {
                    throw new IllegalStateException("record " + r + ": TALs need more than " + annotationBytes + " bytes");
                }
                System.arraycopy(t, 0, a, pos, t.length);
                pos += t.length;
            }
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String field(String s, int width) {
        if (s.length() > width) {
            throw new IllegalArgumentException("'" + s + "' longer than " + width);
        }
        return s + " ".repeat(width - s.length());
    }

    private static void ascii(ByteArrayOutputStream out, String s, int width) {
        out.writeBytes(field(s, width).getBytes(StandardCharsets.US_ASCII));
    }
}
