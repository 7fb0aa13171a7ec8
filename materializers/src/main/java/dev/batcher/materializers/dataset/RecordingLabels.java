package dev.batcher.materializers.dataset;

import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.annotations.BidsEvents;
import dev.batcher.materializers.annotations.EdfAnnotations;
import dev.batcher.materializers.annotations.NsrrXml;
import dev.batcher.materializers.labels.LabelGrid;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.storage.ByteSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Works out a discovered recording's label grid from its annotations, wherever they are: a separate
 * EDF+ hypnogram (its onsets moved by the difference between its header's start and the signal
 * file's, so that a hypnogram whose header starts later still lines up), an NSRR XML file, a BIDS
 * events file, or the signal file's own annotation signal.
 */
final class RecordingLabels {
    private RecordingLabels() {
    }

    /** How the dataset's files are read. */
    interface Access {
        /**
         * Returns a file for positional reads.
         *
         * @param name the file, relative to the dataset
         * @return its bytes
         */
        ByteSource source(String name);

        /**
         * Reads a small file whole.
         *
         * @param name the file, relative to the dataset
         * @return its bytes
         * @throws IOException if it cannot be read
         */
        byte[] read(String name) throws IOException;
    }

    /**
     * Returns the annotations of a recording, onsets in the signal file's time.
     *
     * @throws IllegalArgumentException for an HDF5 recording (its labels are datasets)
     * @throws dev.batcher.materializers.annotations.AnnotationException if an annotation file is malformed
     * @throws DatasetException if an annotation file cannot be read
     */
    static List<Annotation> annotations(DiscoveredRecording r, Access files) {
        return switch (r.annotations()) {
            case HDF5 -> throw new IllegalArgumentException(r.signalFile() + ": HDF5 labels are datasets, not annotations");
            case EMBEDDED -> EdfAnnotations.read(files.source(r.signalFile())).annotations();
            case EDF_PLUS -> {
                String file = r.annotationFile().orElseThrow();
                EdfAnnotations.Contents contents = EdfAnnotations.read(files.source(file));
                LocalDateTime signalStart = EdfAnnotations.start(files.source(r.signalFile()));
                long shift = Duration.between(signalStart, contents.start()).toNanos();
                yield contents.annotations().stream().map(a -> a.shifted(shift)).toList();
            }
            case NSRR_XML -> NsrrXml.stages(new ByteArrayInputStream(read(files, r.annotationFile().orElseThrow())),
                    r.annotationFile().orElseThrow());
            case BIDS_EVENTS -> BidsEvents.read(new ByteArrayInputStream(read(files, r.annotationFile().orElseThrow())),
                    r.annotationFile().orElseThrow());
        };
    }

    /**
     * Returns a recording's label grid, or empty if none of its annotations is a sleep stage.
     *
     * @throws dev.batcher.materializers.labels.LabelException if a text is unknown to the map or two
     *     annotations conflict
     */
    static Optional<LabelGrid> grid(DiscoveredRecording r, Access files, StageMap map, long epochNanos) {
        return LabelGrid.build(annotations(r, files), map, epochNanos);
    }

    private static byte[] read(Access files, String name) {
        try {
            return files.read(name);
        } catch (IOException e) {
            throw new DatasetException(name + ": cannot be read: " + e, e);
        }
    }
}
