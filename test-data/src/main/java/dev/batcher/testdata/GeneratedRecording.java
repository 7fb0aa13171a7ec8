package dev.batcher.testdata;

import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One recording the generator wrote: what its file's attributes say, as the readers should see them.
 *
 * @param recording the recording id, the file's root attribute {@code recording}
 * @param file the file written
 * @param bytes the file's size in bytes
 * @param signal the signal dataset {@code /signals/eeg} and its attributes
 * @param labels the label dataset {@code /labels/stage} and its attributes
 */
public record GeneratedRecording(String recording, Path file, long bytes, SignalInfo signal, LabelInfo labels) {
    /**
     * Checks the components.
     *
     * @param recording the recording id
     * @param file the file written
     * @param bytes the file's size in bytes
     * @param signal the signal dataset and its attributes
     * @param labels the label dataset and its attributes
     *
     * @throws NullPointerException if any component is null
     * @throws IllegalArgumentException if {@code bytes < 0}
     */
    public GeneratedRecording {
        Objects.requireNonNull(recording, "recording");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(labels, "labels");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
    }
}
