package dev.batcher.materializers;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small recording files with jhdf (which stores String[] attributes as fixed-length UTF-8,
 * unlike h5py), for tests that need a particular layout of spans.
 *
 * @param channels signal channel names
 * @param samples samples per channel; sample {@code i} of channel {@code c} is {@code c * 1000 + i % 1000}
 * @param sampleRate signal rate, Hz
 * @param startNanos signal start_ns (written as an integral double, as jhdf writes numbers)
 * @param labelEpochs number of label samples
 * @param labelRate label rate, Hz
 * @param labelStartNanos label start_ns
 */
public record TestRecordings(String[] channels, int samples, double sampleRate, long startNanos,
                             int labelEpochs, double labelRate, long labelStartNanos) {

    /** Two channels, 600 samples at 1 Hz (10 min) from 0, and 20 labels of 30 s from 0. */
    public static TestRecordings tenMinutes() {
        return new TestRecordings(new String[] {"C3", "C4"}, 600, 1.0, 0, 20, 1 / 30.0, 0);
    }

    /** Returns a copy with other signal timing. */
    public TestRecordings signal(int samples, double rate, long start) {
        return new TestRecordings(channels, samples, rate, start, labelEpochs, labelRate, labelStartNanos);
    }

    /** Returns a copy with other label timing. */
    public TestRecordings labels(int epochs, double rate, long start) {
        return new TestRecordings(channels, samples, sampleRate, startNanos, epochs, rate, start);
    }

    /** Writes {@code /signals/eeg} (labels attribute {@code /labels/stage}) and {@code /labels/stage} to {@code file}. */
    public Path write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        short[][] data = new short[channels.length][samples];
        for (int c = 0; c < channels.length; c++) {
            for (int i = 0; i < samples; i++) {
                data[c][i] = (short) (c * 1000 + i % 1000);
            }
        }
        byte[][] labels = new byte[1][labelEpochs];
        for (int i = 0; i < labelEpochs; i++) {
            labels[0][i] = (byte) (i % 5);
        }
        try (WritableHdfFile f = HdfFile.write(file)) {
            WritableDataset signal = f.putGroup("signals").putDataset("eeg", data);
            signal.putAttribute("channels", channels);
            signal.putAttribute("sample_rate", sampleRate);
            signal.putAttribute("resolution", 0.5);
            signal.putAttribute("offset", 0.0);
            signal.putAttribute("unit", new String[] {"uV"});
            signal.putAttribute("start_ns", (double) startNanos);
            signal.putAttribute("labels", new String[] {"/labels/stage"});
            WritableDataset stage = f.putGroup("labels").putDataset("stage", labels);
            stage.putAttribute("sample_rate", labelRate);
            stage.putAttribute("start_ns", (double) labelStartNanos);
            stage.putAttribute("encoding", new String[] {"W", "N1", "N2", "N3", "R"});
            stage.putAttribute("channels", new String[] {"stage"});
        }
        return file;
    }
}
