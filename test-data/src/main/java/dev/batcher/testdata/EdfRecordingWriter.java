package dev.batcher.testdata;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Writes one recording in the Sleep-EDF layout: a PSG file (EDF+C or BDF+C, 30 s data records) and
 * an EDF+ hypnogram of {@code Sleep stage ...} annotations, as {@link FileFormat#EDF} describes. Both
 * are streamed record by record.
 */
final class EdfRecordingWriter {
    /** How many recordings Sleep-EDF names can tell apart: 100 subjects of 2 nights. */
    static final int MAX_RECORDINGS = 200;
    private static final int RECORD_SECONDS = 30;
    private static final int RESP_SPR = RECORD_SECONDS;
    private static final int ANNOTATION_SPR = 16;
    private static final String[] STAGE_TEXT = {"Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 3",
        "Sleep stage R"};

    private EdfRecordingWriter() {
    }

    /** Returns the Sleep-EDF stem of recording {@code index}: {@code SC4ssN} (subject, night 1 or 2). */
    static String stem(int index) {
        return String.format(Locale.ROOT, "SC4%02d%d", index / 2, 1 + index % 2);
    }

    /** Returns the PSG file name of a recording. */
    static String psgName(int index, FileFormat format) {
        return stem(index) + "E0-PSG." + (format == FileFormat.BDF ? "bdf" : "edf");
    }

    /** Returns the hypnogram file name of a recording. */
    static String hypnogramName(int index) {
        return stem(index) + "EC-Hypnogram.edf";
    }

    /**
     * Writes the PSG file: the channels labelled {@code <kind> <name>} ({@code EEG C3}, {@code EOG EOG-L}) at the plan's rate, a 1 Hz respiration
     * channel and the annotation signal, in whole 30 s records (a last partial record is left out).
     *
     * @param file the file to write
     * @param plan the recording
     * @param samples its int16 samples, {@code [channels][samples]}
     * @param bdf 24-bit samples (the int16 ones times 256) instead of 16-bit
     * @throws IOException if the file cannot be written
     */
    static void writePsg(Path file, RecordingPlan plan, short[][] samples, boolean bdf) throws IOException {
        int spr = plan.epochSamples();
        int records = plan.samples() / spr;
        int bps = bdf ? 3 : 2;
        int scale = bdf ? 256 : 1;
        double pmin = -32768 * plan.resolution() + plan.offset();
        double pmax = 32767 * plan.resolution() + plan.offset();
        long dmin = bdf ? -8388608 : -32768;
        long dmax = bdf ? 8388607 : 32767;
        List<String[]> signals = new ArrayList<>();
        for (String channel : plan.channels()) {
            signals.add(signal(label(channel), "uV", number(pmin), number(pmax), dmin, dmax, spr));
        }
        signals.add(signal("Resp oro-nasal", "", "-2048", "2047", -2048, 2047, RESP_SPR));
        signals.add(signal(bdf ? "BDF Annotations" : "EDF Annotations", "", "-1", "1", dmin, dmax, ANNOTATION_SPR));
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            header(out, bdf, bdf ? "BDF+C" : "EDF+C", records, String.valueOf(RECORD_SECONDS), signals);
            byte[] record = new byte[(plan.channels().size() * spr + RESP_SPR + ANNOTATION_SPR) * bps];
            for (int r = 0; r < records; r++) {
                int at = 0;
                for (short[] channel : samples) {
                    for (int i = 0; i < spr; i++) {
                        at = put(record, at, channel[r * spr + i] * scale, bps);
                    }
                }
                for (int i = 0; i < RESP_SPR; i++) {
                    double t = r * RECORD_SECONDS + i;
                    at = put(record, at, (int) Math.round(1500 * Math.sin(2 * Math.PI * 0.25 * t + plan.index())), bps);
                }
                Arrays.fill(record, at, record.length, (byte) 0);
                byte[] tal = ("+" + r * RECORD_SECONDS + "\u0014\u0014\u0000").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(tal, 0, record, at, tal.length);
                out.write(record);
            }
        }
    }

    /**
     * Writes the hypnogram: one EDF+ annotation per run of equal stages, from the first label epoch
     * (the signal's start is the file's start).
     *
     * @param file the file to write
     * @param plan the recording
     * @throws IOException if the file cannot be written
     */
    static void writeHypnogram(Path file, RecordingPlan plan) throws IOException {
        StringBuilder tals = new StringBuilder("+0\u0014\u0014\u0000");
        byte[] labels = plan.labels();
        for (int i = 0; i < labels.length; ) {
            int j = i;
            while (j < labels.length && labels[j] == labels[i]) {
                j++;
            }
            long onset = (long) (plan.labelOffsetEpochs() + i) * RECORD_SECONDS;
            tals.append('+').append(onset).append('\u0015').append((j - i) * RECORD_SECONDS).append('\u0014')
                    .append(STAGE_TEXT[labels[i]]).append("\u0014\u0000");
            i = j;
        }
        byte[] text = tals.toString().getBytes(StandardCharsets.US_ASCII);
        int spr = (text.length + 1) / 2;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            header(out, false, "EDF+C", 1, "0",
                    List.<String[]>of(signal("EDF Annotations", "", "-1", "1", -32768, 32767, spr)));
            out.write(Arrays.copyOf(text, spr * 2));
        }
    }

    /** Returns the EDF label of a channel: its kind ({@code EEG}, {@code EOG}, {@code EMG}), a space, its name. */
    static String label(String channel) {
        String upper = channel.toUpperCase(Locale.ROOT);
        String kind = upper.startsWith("EOG") ? "EOG" : upper.startsWith("EMG") ? "EMG" : upper.startsWith("ECG") ? "ECG" : "EEG";
        return kind + " " + channel;
    }

    private static int put(byte[] record, int at, int value, int bps) {
        record[at] = (byte) value;
        record[at + 1] = (byte) (value >> 8);
        if (bps == 3) {
            record[at + 2] = (byte) (value >> 16);
        }
        return at + bps;
    }

    private static String[] signal(String label, String unit, String pmin, String pmax, long dmin, long dmax, int spr) {
        return new String[] {label, unit, pmin, pmax, String.valueOf(dmin), String.valueOf(dmax), String.valueOf(spr)};
    }

    /** Writes a number in at most 8 characters, as EDF wants it. */
    static String number(double v) {
        String plain = new BigDecimal(v).stripTrailingZeros().toPlainString();
        if (plain.length() <= 8) {
            return plain;
        }
        int whole = plain.indexOf('.') < 0 ? plain.length() : plain.indexOf('.');
        if (whole > 7) {
            throw new IllegalArgumentException("value: " + v + " (expected: one that fits 8 characters)");
        }
        return new BigDecimal(v).setScale(7 - whole, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static void header(OutputStream out, boolean bdf, String reserved, long records, String duration,
                               List<String[]> signals) throws IOException {
        if (bdf) {
            out.write(0xff);
            field(out, "BIOSEMI", 7);
        } else {
            field(out, "0", 8);
        }
        field(out, "X X X X", 80);
        field(out, "Startdate 01-JAN-2020 X X X", 80);
        field(out, "01.01.20", 8);
        field(out, "22.00.00", 8);
        field(out, String.valueOf(256 * (signals.size() + 1)), 8);
        field(out, reserved, 44);
        field(out, String.valueOf(records), 8);
        field(out, duration, 8);
        field(out, String.valueOf(signals.size()), 4);
        int[][] layout = {{0, 16}, {-1, 80}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {-2, 80}, {6, 8}, {-3, 32}};
        for (int[] f : layout) {
            for (String[] s : signals) {
                String value = f[0] >= 0 ? s[f[0]] : f[0] == -1 ? (s[0].contains("Annotations") ? "" : "AgAgCl electrode")
                        : f[0] == -2 ? "" : "";
                field(out, value, f[1]);
            }
        }
    }

    private static void field(OutputStream out, String text, int width) throws IOException {
        byte[] b = new byte[width];
        Arrays.fill(b, (byte) ' ');
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        if (t.length > width) {
            throw new IllegalArgumentException("field: '" + text + "' (expected: at most " + width + " characters)");
        }
        System.arraycopy(t, 0, b, 0, t.length);
        out.write(b);
    }
}
