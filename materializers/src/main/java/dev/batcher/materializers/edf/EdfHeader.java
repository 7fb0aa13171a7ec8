package dev.batcher.materializers.edf;

import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header of an EDF, EDF+ (continuous), BDF or BDF+ file, parsed and checked: the fixed 256 bytes and
 * 256 bytes per signal. Every fault names the file, the header field, its value and what was expected.
 *
 * @param bdf whether samples are 24-bit (BDF) rather than 16-bit (EDF)
 * @param reserved the reserved field, trimmed ({@code EDF+C}, {@code BDF+C}, {@code 24BIT} or blank)
 * @param headerBytes the header's size: where the first data record starts
 * @param records the number of data records
 * @param recordSeconds the duration of one data record, in seconds
 * @param signals the signals, annotation signals included, in header order
 */
record EdfHeader(boolean bdf, String reserved, long headerBytes, long records, double recordSeconds,
                 List<Signal> signals) {
    /** The size of the fixed part and of each signal's part. */
    static final int FIXED = 256;

    /**
     * One signal of the header.
     *
     * @param label the label, trimmed
     * @param unit the physical dimension, trimmed
     * @param physicalMin the physical minimum
     * @param physicalMax the physical maximum
     * @param digitalMin the digital minimum
     * @param digitalMax the digital maximum
     * @param samplesPerRecord samples of this signal in each data record
     * @param recordOffset the first sample of this signal within a record, counted over all signals
     */
    record Signal(String label, String unit, double physicalMin, double physicalMax, long digitalMin,
                  long digitalMax, int samplesPerRecord, long recordOffset) {
        /** Tells whether this is the EDF+/BDF+ annotation signal (never a signal to train on). */
        boolean annotations() {
            return label.equals("EDF Annotations") || label.equals("BDF Annotations");
        }

        /** Returns the value of one digital step: {@code (pmax - pmin) / (dmax - dmin)}. */
        double resolution() {
            return (physicalMax - physicalMin) / (digitalMax - digitalMin);
        }

        /** Returns the value added after scaling: {@code pmin - dmin * resolution}. */
        double offset() {
            return physicalMin - digitalMin * resolution();
        }
    }

    /** Returns 2 for EDF, 3 for BDF. */
    int bytesPerSample() {
        return bdf ? 3 : 2;
    }

    /** Returns the samples of all signals in one data record. */
    long recordSamples() {
        long n = 0;
        for (Signal s : signals) {
            n += s.samplesPerRecord();
        }
        return n;
    }

    /** Returns the bytes of one data record. */
    long recordBytes() {
        return recordSamples() * bytesPerSample();
    }

    /** Returns the file size the header promises. */
    long expectedSize() {
        return headerBytes + records * recordBytes();
    }

    /**
     * Parses the fixed part of the header (the first 256 bytes) and returns the number of signals.
     *
     * @throws RecordingReadException if the version or the signal count is wrong
     */
    static int signalCount(byte[] fixed, String file) {
        checkVersion(fixed, file);
        long ns = integer(fixed, 252, 4, file, "number of signals", "an integer >= 1");
        if (ns < 1 || ns > 4096) {
            throw bad(file, "number of signals", quoted(text(fixed, 252, 4)), "an integer in [1, 4096]");
        }
        return (int) ns;
    }

    /**
     * Parses and checks a whole header.
     *
     * @param fixed the first 256 bytes
     * @param perSignal the next {@code 256 * ns} bytes
     * @param file the file name, for messages
     * @param size the file's size in bytes
     * @return the header
     * @throws RecordingReadException with reason {@link Reason#BAD_ATTRIBUTE} for a field that is not a
     *     number, out of range or inconsistent; {@link Reason#UNREADABLE} for a wrong version, an EDF+D
     *     (discontinuous) file, or a size that disagrees with the header (a truncated file)
     */
    static EdfHeader parse(byte[] fixed, byte[] perSignal, String file, long size) {
        boolean bdf = checkVersion(fixed, file);
        int ns = signalCount(fixed, file);
        long headerBytes = integer(fixed, 184, 8, file, "number of bytes in header record", "256 * (1 + number of signals)");
        if (headerBytes != FIXED * (1L + ns)) {
            throw bad(file, "number of bytes in header record", quoted(text(fixed, 184, 8)),
                    (FIXED * (1L + ns)) + ", 256 * (1 + " + ns + " signals)");
        }
        String reserved = text(fixed, 192, 44).trim();
        if (reserved.startsWith("EDF+D") || reserved.startsWith("BDF+D")) {
            throw new RecordingReadException(Reason.UNREADABLE, file, null, null, "header field reserved: '" + reserved
                    + "' (expected: EDF+C, BDF+C or plain EDF/BDF; discontinuous EDF+D/BDF+D recordings are not "
                    + "read: split them into continuous files, for example with MNE's crop and export)", null);
        }
        long records = integer(fixed, 236, 8, file, "number of data records", "an integer >= 1");
        if (records < 1) {
            throw bad(file, "number of data records", quoted(text(fixed, 236, 8)), records == -1
                    ? "an integer >= 1; -1 means the recording was never finished (the writer did not update the header)"
                    : "an integer >= 1");
        }
        double seconds = number(fixed, 244, 8, file, "duration of a data record", "a number > 0 (seconds)");
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw bad(file, "duration of a data record", quoted(text(fixed, 244, 8)), "a number > 0 (seconds)");
        }
        List<Signal> signals = new ArrayList<>(ns);
        Map<String, Integer> seen = new HashMap<>();
        long offset = 0;
        for (int i = 0; i < ns; i++) {
            String label = field(perSignal, ns, i, 0, 16).trim();
            String at = "signal " + (i + 1) + " (" + label + ") ";
            String unit = field(perSignal, ns, i, 96, 8).trim();
            double pmin = number(field(perSignal, ns, i, 104, 8), file, at + "physical minimum", "a number");
            double pmax = number(field(perSignal, ns, i, 112, 8), file, at + "physical maximum", "a number");
            long dmin = integer(field(perSignal, ns, i, 120, 8), file, at + "digital minimum", "an integer");
            long dmax = integer(field(perSignal, ns, i, 128, 8), file, at + "digital maximum", "an integer");
            long spr = integer(field(perSignal, ns, i, 216, 8), file, at + "number of samples in each data record",
                    "an integer >= 1");
            long lo = bdf ? -(1 << 23) : Short.MIN_VALUE;
            long hi = bdf ? (1 << 23) - 1 : Short.MAX_VALUE;
            if (spr < 1 || spr > Integer.MAX_VALUE) {
                throw bad(file, at + "number of samples in each data record", String.valueOf(spr), "an integer >= 1");
            }
            Signal s = new Signal(label, unit, pmin, pmax, dmin, dmax, (int) spr, offset);
            offset += spr;
            if (!s.annotations()) {
                if (dmin < lo || dmax > hi) {
                    throw bad(file, at + "digital minimum/maximum", dmin + "/" + dmax,
                            "values in [" + lo + ", " + hi + "], the range of " + (bdf ? "24" : "16") + "-bit samples");
                }
                if (dmin >= dmax) {
                    throw bad(file, at + "digital minimum", String.valueOf(dmin), "< digital maximum " + dmax);
                }
                if (pmin == pmax) {
                    throw bad(file, at + "physical maximum", quoted(field(perSignal, ns, i, 112, 8)),
                            "!= physical minimum " + field(perSignal, ns, i, 104, 8).trim());
                }
                Integer previous = seen.putIfAbsent(label, i + 1);
                if (previous != null) {
                    throw bad(file, at + "label", "'" + label + "'", "a label of its own (signal " + previous
                            + " has it too; channel names must be distinct)");
                }
            }
            signals.add(s);
        }
        EdfHeader header = new EdfHeader(bdf, reserved, headerBytes, records, seconds, signals);
        if (size != header.expectedSize()) {
            throw new RecordingReadException(Reason.UNREADABLE, file, null, null, "file size: " + size + " bytes (expected: "
                    + header.expectedSize() + ", " + headerBytes + " header bytes + " + records + " data records of "
                    + header.recordBytes() + " bytes; " + (size < header.expectedSize() ? "the file is truncated"
                    : "the file holds more than its header says") + ")", null);
        }
        return header;
    }

    private static boolean checkVersion(byte[] fixed, String file) {
        if ((fixed[0] & 0xff) == 0xff && text(fixed, 1, 7).equals("BIOSEMI")) {
            return true;
        }
        if (text(fixed, 0, 8).equals("0       ")) {
            return false;
        }
        throw new RecordingReadException(Reason.UNREADABLE, file, null, null, "header field version: '"
                + text(fixed, 0, 8).replaceAll("[^\\x20-\\x7e]", "?") + "' (expected: '0' followed by 7 spaces (EDF) "
                + "or byte 255 then 'BIOSEMI' (BDF); not an EDF or BDF file)", null);
    }

    /** Returns signal {@code i}'s field at {@code pos} of {@code len} bytes (fields are stored field by field). */
    private static String field(byte[] perSignal, int ns, int i, int pos, int len) {
        return text(perSignal, pos * ns + i * len, len);
    }

    private static String text(byte[] b, int from, int len) {
        return new String(b, from, len, StandardCharsets.US_ASCII);
    }

    private static long integer(byte[] b, int from, int len, String file, String field, String expected) {
        return integer(text(b, from, len), file, field, expected);
    }

    private static long integer(String raw, String file, String field, String expected) {
        String t = raw.trim();
        try {
            return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException e) {
            throw bad(file, field, quoted(raw), expected);
        }
    }

    private static double number(byte[] b, int from, int len, String file, String field, String expected) {
        return number(text(b, from, len), file, field, expected);
    }

    private static double number(String raw, String file, String field, String expected) {
        String t = raw.trim();
        // Java's parser also takes "NaN", "Infinity", hex and a trailing 'd'/'f': EDF allows none of them.
        if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            throw bad(file, field, quoted(raw), expected);
        }
        return Double.parseDouble(t);
    }

    private static String quoted(String raw) {
        return "'" + raw.trim() + "'";
    }

    private static RecordingReadException bad(String file, String field, String value, String expected) {
        return new RecordingReadException(Reason.BAD_ATTRIBUTE, file, null, null,
                "header field " + field + ": " + value + " (expected: " + expected + ")", null);
    }

    /** Returns the group name of a sample rate: {@code /100Hz}, {@code /0.5Hz}. */
    static String groupName(double rate) {
        return "/" + new java.math.BigDecimal(Double.toString(rate)).stripTrailingZeros().toPlainString()
                .toLowerCase(Locale.ROOT) + "Hz";
    }
}
