package dev.batcher.materializers.dataset;

import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.storage.ByteSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@link DatasetIndexer} gets the labels of recordings whose signal file holds no label dataset
 * (EDF, BDF, Onda...): a source pairs signal files with annotation files (a Sleep-EDF hypnogram, an
 * NSRR XML, a BIDS {@code events.tsv}, a row of a manifest CSV, or the signal file itself for its own
 * EDF+ annotation signal) and turns an annotation file into a dense {@link LabelGrid}. The indexer
 * stores each grid in {@code recordings.json}, where {@link Dataset#load} finds it again; batches read
 * it as the label dataset the grid names.
 *
 * <p>Sources are asked in order; the first that pairs a signal file wins. A file paired as another
 * file's annotation file is not indexed as a recording. Implementations are deterministic: the same
 * files give the same pairs and grids.
 */
public interface LabelSource {
    /**
     * Pairs signal files with their annotation files.
     *
     * @param files the dataset's files
     * @return signal file to its pairing, for the signal files this source recognises (empty if none)
     * @throws DatasetException if the layout is recognised but inconsistent (naming the files)
     */
    Map<String, Pair> pair(Files files);

    /**
     * Builds the label grid of one recording.
     *
     * @param request the recording, its annotation file and the grid wanted
     * @return the grid, or empty if the annotation file holds no labels (no sleep stage, say); its
     *     dataset name is what the table's {@code labels} column will say (for example
     *     {@code /labels/stage})
     * @throws dev.batcher.materializers.MaterializerException if the annotation file is invalid or two
     *     annotations conflict; the message names the file, the annotations and what was expected
     */
    Optional<LabelGrid> read(Request request);

    /**
     * How a signal file is paired.
     *
     * @param annotationFile the annotation file, relative to the dataset (the signal file itself for
     *     its own annotation signal)
     * @param recording the recording id to give it, or null for its format's default
     * @param channelsFile a file giving the channels' kinds (a BIDS {@code *_channels.tsv}), or null
     */
    record Pair(String annotationFile, String recording, String channelsFile) {
        /** A pairing with no channels file. */
        public Pair(String annotationFile, String recording) {
            this(annotationFile, recording, null);
        }
    }

    /** The dataset's files, as a source sees them. */
    interface Files {
        /** Returns what to call the dataset in messages (a directory or {@code s3://bucket/prefix}). */
        String describe();

        /** Returns every file of the dataset: relative, forward slashes, sorted, hidden ones left out. */
        List<String> names();

        /**
         * Reads a small file whole.
         *
         * @param name the file
         * @return its bytes
         * @throws DatasetException if it cannot be read
         */
        byte[] read(String name);

        /**
         * Returns a file for positional reads (headers, or the annotation signal of a large file).
         *
         * @param name the file
         * @return its bytes
         */
        ByteSource source(String name);
    }

    /**
     * What {@link #read} is asked for.
     *
     * @param signalFile the signal file, relative to the dataset
     * @param pair how it was paired
     * @param files the dataset's files
     * @param recording the span of the recording the grid may cover: {@code [0, duration)} of the
     *     signal file
     * @param epochNanos the length of one label epoch (30 s unless the user asks otherwise)
     */
    record Request(String signalFile, Pair pair, Files files, TimeSpan recording, long epochNanos) {
    }
}
