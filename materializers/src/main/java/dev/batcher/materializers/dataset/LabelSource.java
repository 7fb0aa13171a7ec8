package dev.batcher.materializers.dataset;

import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.metadata.TimeSpan;

import java.util.List;
import java.util.Map;

/**
 * Where {@link DatasetIndexer} gets the labels of recordings whose signal file holds none (EDF, BDF,
 * Onda...): a source pairs signal files with annotation files (a Sleep-EDF hypnogram, an NSRR XML, a
 * BIDS {@code events.tsv}, a manifest CSV...) and turns an annotation file into a dense
 * {@link LabelGrid}. The indexer stores each grid in {@code recordings.json}, where
 * {@link Dataset#load} finds it again; batches read it as the label dataset the grid names.
 *
 * <p>Sources are asked in order; the first that pairs a signal file wins. A file paired as an
 * annotation file is not indexed as a recording. Implementations are stateless and deterministic:
 * the same files give the same pairs and grids.
 */
public interface LabelSource {
    /**
     * Pairs signal files with their annotation files.
     *
     * @param files every file of the dataset: names relative to it with forward slashes, sorted,
     *     hidden ones left out
     * @return signal file to annotation file, for the pairs this source recognises (empty if none)
     * @throws DatasetException if the layout is recognised but inconsistent (naming the files)
     */
    Map<String, String> pair(List<String> files);

    /**
     * Builds the label grid of one recording.
     *
     * @param request the recording, its annotation file and its bytes, and the grid wanted
     * @return the grid; its dataset name is what the table's {@code labels} column will say (for
     *     example {@code /labels/stage})
     * @throws DatasetException if the annotation file is invalid or two annotations conflict; the
     *     message names the file, the annotations and what was expected
     */
    LabelGrid read(Request request);

    /**
     * What {@link #read} is asked for.
     *
     * @param signalFile the signal file, relative to the dataset
     * @param annotationFile the annotation file, relative to the dataset
     * @param content the annotation file's bytes (annotation files are small)
     * @param recording the span of the recording the grid may cover: {@code [0, duration)} of the
     *     signal file
     * @param epochNanos the length of one label epoch (30 s unless the user asks otherwise)
     */
    record Request(String signalFile, String annotationFile, byte[] content, TimeSpan recording, long epochNanos) {
    }
}
