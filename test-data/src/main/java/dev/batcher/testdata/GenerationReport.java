package dev.batcher.testdata;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link SyntheticDataset#generate} wrote and how fast.
 *
 * @param directory the dataset directory
 * @param recordings the recordings in index order, one file each
 * @param totalBytes the size of all files written, in bytes
 * @param sampleBytes the int16 signal bytes before any compression
 * @param elapsed the wall-clock time the generation took
 */
public record GenerationReport(
        Path directory, List<GeneratedRecording> recordings, long totalBytes, long sampleBytes, Duration elapsed) {

    /**
     * Checks the components and copies the list.
     *
     * @param directory the dataset directory
     * @param recordings the recordings in index order
     * @param totalBytes the size of all files written
     * @param sampleBytes the int16 signal bytes before compression
     * @param elapsed the wall-clock time taken
     *
     * @throws NullPointerException if any component or recording is null
     * @throws IllegalArgumentException if {@code totalBytes} or {@code sampleBytes} is negative, or
     *     {@code elapsed} is negative
     */
    public GenerationReport {
        Objects.requireNonNull(directory, "directory");
        recordings = List.copyOf(recordings);
        Objects.requireNonNull(elapsed, "elapsed");
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes: " + totalBytes + " (expected: >= 0)");
        }
        if (sampleBytes < 0) {
            throw new IllegalArgumentException("sampleBytes: " + sampleBytes + " (expected: >= 0)");
        }
        if (elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed: " + elapsed + " (expected: >= 0)");
        }
    }

    /**
     * Returns the files written, in recording order.
     *
     * @return the files written, in recording order
     */
    public List<Path> files() {
        return recordings.stream().map(GeneratedRecording::file).toList();
    }

    /**
     * Returns the file bytes written per second, in MB/s (10^6 bytes); 0 if no time elapsed.
     *
     * @return the file bytes written per second, in MB/s (10^6 bytes), or 0 if no time elapsed
     */
    public double megabytesPerSecond() {
        return perSecond(totalBytes);
    }

    /**
     * Returns the int16 signal bytes generated per second, in MB/s (10^6 bytes); 0 if no time elapsed.
     * For compressed layouts this is the uncompressed rate.
     *
     * @return the int16 signal MB generated per second, or 0 if no time elapsed
     */
    public double sampleMegabytesPerSecond() {
        return perSecond(sampleBytes);
    }

    private double perSecond(long bytes) {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? bytes / 1e6 / seconds : 0.0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%d recordings, %.1f MB in files (%.1f MB of samples) in %.2f s: %.1f MB/s (%.1f MB/s of samples)",
                recordings.size(), totalBytes / 1e6, sampleBytes / 1e6, elapsed.toNanos() / 1e9,
                megabytesPerSecond(), sampleMegabytesPerSecond());
    }
}
