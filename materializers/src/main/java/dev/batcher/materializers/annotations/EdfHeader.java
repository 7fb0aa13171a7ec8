package dev.batcher.materializers.annotations;

import dev.batcher.materializers.storage.ByteSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an EDF/BDF header that locating annotations needs: the start, the record layout and
 * which signals are annotation signals.
 *
 * @param start the start date and time
 * @param headerBytes the header's size in bytes
 * @param records the number of data records
 * @param signalBytesList each signal's bytes per data record
 * @param annotationSignals the indices of the annotation signals, in header order
 */
record EdfHeader(LocalDateTime start, int headerBytes, long records, List<Integer> signalBytesList,
                 List<Integer> annotationSignals) {
    private static final int FIXED = 256;
    private static final int PER_SIGNAL = 256;
    private static final int MAX_SIGNALS = 4096;

    int recordBytes() {
        int n = 0;
        for (int b : signalBytesList) {
            n += b;
        }
        return n;
    }

    int signalOffset(int signal) {
        int n = 0;
        for (int i = 0; i < signal; i++) {
            n += signalBytesList.get(i);
        }
        return n;
    }

    int signalBytes(int signal) {
        return signalBytesList.get(signal);
    }

    static EdfHeader read(ByteSource source) {
        String file = source.describe();
        ByteBuffer fixed = read(source, 0, FIXED);
        boolean bdf = (fixed.get(0) & 0xFF) == 0xFF && "BIOSEMI".equals(ascii(fixed, 1, 7));
        if (!bdf && !"0".equals(ascii(fixed, 0, 8).strip())) {
            throw new AnnotationException(file + ": header version: '" + ascii(fixed, 0, 8).strip()
                    + "' (expected: '0' for EDF or \\xffBIOSEMI for BDF)");
        }
        LocalDateTime start = EdfAnnotations.start(ascii(fixed, 168, 8), ascii(fixed, 176, 8), file);
        int headerBytes = (int) number(fixed, 184, 8, file, "number of bytes in header", 0, Integer.MAX_VALUE);
        long records = number(fixed, 236, 8, file, "number of data records", 0, Long.MAX_VALUE);
        int ns = (int) number(fixed, 252, 4, file, "number of signals", 1, MAX_SIGNALS);
        if (headerBytes != FIXED + ns * PER_SIGNAL) {
            throw new AnnotationException(file + ": number of bytes in header: " + headerBytes + " (expected: "
                    + (FIXED + ns * PER_SIGNAL) + ", 256 + 256 per signal for " + ns + " signals)");
        }
        ByteBuffer signals = read(source, FIXED, ns * PER_SIGNAL);
        int bytesPerSample = bdf ? 3 : 2;
        List<Integer> bytes = new ArrayList<>();
        List<Integer> annotations = new ArrayList<>();
        long recordBytes = 0;
        for (int i = 0; i < ns; i++) {
            String label = ascii(signals, i * 16, 16).strip();
            if (label.equals("EDF Annotations") || label.equals("BDF Annotations")) {
                annotations.add(i);
            }
            long samples = number(signals, ns * 216 + i * 8, 8, file, "signal " + i + " (" + label
                    + ") number of samples in each data record", 1, 1 << 24);
            bytes.add((int) (samples * bytesPerSample));
            recordBytes += samples * bytesPerSample;
        }
        if (recordBytes > Integer.MAX_VALUE / 2) {
            throw new AnnotationException(file + ": data record size: " + recordBytes + " bytes (expected: < 1 GiB)");
        }
        return new EdfHeader(start, headerBytes, records, List.copyOf(bytes), List.copyOf(annotations));
    }

    private static ByteBuffer read(ByteSource source, long position, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            source.readFully(b, position);
        } catch (EOFException e) {
            throw new AnnotationException(source.describe() + ": file ends within the header, bytes [" + position + ", "
                    + (position + length) + ") (expected: an EDF or BDF header)", e);
        } catch (IOException e) {
            throw new AnnotationException(source.describe() + ": cannot be read: " + e.getMessage(), e);
        }
        return b;
    }

    private static String ascii(ByteBuffer b, int from, int length) {
        byte[] a = new byte[length];
        b.get(from, a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    private static long number(ByteBuffer b, int from, int length, String file, String field, long min, long max) {
        String text = ascii(b, from, length).strip();
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new AnnotationException(file + ": header " + field + ": '" + text + "' (expected: an integer in ["
                    + min + ", " + max + "])", e);
        }
        if (v < min || v > max) {
            throw new AnnotationException(file + ": header " + field + ": " + v + " (expected: an integer in [" + min + ", "
                    + max + "]" + (v == -1 ? "; -1 means the recording was not closed properly, fix the header" : "") + ")");
        }
        return v;
    }
}
