package dev.batcher.materializers.edf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small EDF/BDF writer for tests: any signals, rates, digital and physical ranges, an optional
 * EDF+/BDF+ annotation signal, and hooks to break header fields. Samples are given as digital values.
 */
final class EdfWriter {
    /** One signal: label, unit, physical and digital range, samples per record, and its digital samples. */
    record Sig(String label, String unit, String pmin, String pmax, String dmin, String dmax, int spr, int[] samples) {
    }

    boolean bdf;
    String reserved = "EDF+C";
    String records;
    String duration = "1";
    String headerBytes;
    boolean annotations = true;
    final List<Sig> signals = new ArrayList<>();

    EdfWriter duration(String seconds) {
        duration = seconds;
        return this;
    }

    EdfWriter signal(String label, String unit, double pmin, double pmax, int dmin, int dmax, int spr, int[] samples) {
        signals.add(new Sig(label, unit, num(pmin), num(pmax), String.valueOf(dmin), String.valueOf(dmax), spr, samples));
        return this;
    }

    private static String num(double v) {
        String s = v == Math.rint(v) && Math.abs(v) < 1e7 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
        return s.length() > 8 ? s.substring(0, 8) : s;
    }

    /** Writes the file; the record count is the first signal's samples / spr. */
    Path write(Path path) throws IOException {
        List<Sig> all = new ArrayList<>(signals);
        int nrec = signals.get(0).samples().length / signals.get(0).spr();
        String annLabel = bdf ? "BDF Annotations" : "EDF Annotations";
        int annSpr = 30;
        if (annotations) {
            all.add(new Sig(annLabel, "", "-1", "1", bdf ? "-8388608" : "-32768", bdf ? "8388607" : "32767", annSpr, null));
        }
        int ns = all.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bdf) {
            out.write(0xff);
            field(out, "BIOSEMI", 7);
        } else {
            field(out, "0", 8);
        }
        field(out, "X X X X", 80);
        field(out, "Startdate 01-JAN-2020 X X X", 80);
        field(out, "01.01.20", 8);
        field(out, "00.00.00", 8);
        field(out, headerBytes != null ? headerBytes : String.valueOf(256 * (ns + 1)), 8);
        field(out, bdf && reserved.startsWith("EDF") ? "BDF" + reserved.substring(3) : reserved, 44);
        field(out, records != null ? records : String.valueOf(nrec), 8);
        field(out, duration, 8);
        field(out, String.valueOf(ns), 4);
        for (Sig s : all) field(out, s.label(), 16);
        for (Sig s : all) field(out, "AgAgCl electrode", 80);
        for (Sig s : all) field(out, s.unit(), 8);
        for (Sig s : all) field(out, s.pmin(), 8);
        for (Sig s : all) field(out, s.pmax(), 8);
        for (Sig s : all) field(out, s.dmin(), 8);
        for (Sig s : all) field(out, s.dmax(), 8);
        for (Sig s : all) field(out, "HP:0.1Hz", 80);
        for (Sig s : all) field(out, String.valueOf(s.spr()), 8);
        for (Sig s : all) field(out, "", 32);
        int bps = bdf ? 3 : 2;
        for (int r = 0; r < nrec; r++) {
            for (Sig s : all) {
                if (s.samples() == null) {
                    byte[] tal = new byte[s.spr() * bps];
                    byte[] text = ("+" + r + "\u0014\u0014\u0000").getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(text, 0, tal, 0, text.length);
                    out.write(tal);
                    continue;
                }
                for (int i = 0; i < s.spr(); i++) {
                    int v = s.samples()[r * s.spr() + i];
                    out.write(v & 0xff);
                    out.write((v >> 8) & 0xff);
                    if (bdf) {
                        out.write((v >> 16) & 0xff);
                    }
                }
            }
        }
        Files.write(path, out.toByteArray());
        return path;
    }

    private static void field(ByteArrayOutputStream out, String text, int width) {
        byte[] b = new byte[width];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, 0, Math.min(width, t.length));
        out.write(b, 0, width);
    }

    /** Returns {@code n} deterministic digital samples in [lo, hi], hitting both ends. */
    static int[] samples(int n, int lo, int hi, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) (lo + random.nextLong((long) hi - lo + 1));
        }
        out[0] = lo;
        out[n - 1] = hi;
        return out;
    }
}
