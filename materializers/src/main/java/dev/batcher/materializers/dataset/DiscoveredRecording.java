package dev.batcher.materializers.dataset;

import java.util.Objects;
import java.util.Optional;

/**
 * One recording found in a dataset directory or prefix: its signal file and where its labels come
 * from.
 *
 * @param id the recording id: a manifest's {@code recording}, else the signal file's path without its
 *     extension (for HDF5 files the file's {@code recording} attribute wins)
 * @param signalFile the signal file, relative to the dataset, with forward slashes
 * @param layout the layout it was found by
 * @param annotations where its labels come from
 * @param annotationFile the separate annotation file, relative to the dataset, where {@code annotations}
 *     names a file format
 * @param channelsFile a BIDS {@code *_channels.tsv} giving the channels' types, where there is one
 */
public record DiscoveredRecording(String id, String signalFile, Layout layout, Annotations annotations,
                                  Optional<String> annotationFile, Optional<String> channelsFile) {

    /** How a recording was found. */
    public enum Layout {
        /** An HDF5 file of the Batcher layout. */
        HDF5,
        /** A Sleep-EDF pair: {@code SC4001E0-PSG.edf} and {@code SC4001EC-Hypnogram.edf}. */
        SLEEP_EDF,
        /** The NSRR tree: {@code polysomnography/edfs/...} with {@code annotations-events-nsrr/...}. */
        NSRR,
        /** BIDS: {@code sub-*[/ses-*]/eeg/*_eeg.edf|bdf} with {@code *_events.tsv}. */
        BIDS,
        /** Any other EDF or BDF file. */
        EDF,
        /** A row of the manifest CSV {@code recordings.csv}. */
        MANIFEST
    }

    /** Where a recording's labels come from. */
    public enum Annotations {
        /** Label datasets inside the HDF5 file. */
        HDF5,
        /** A separate EDF+/BDF+ annotation file (a hypnogram). */
        EDF_PLUS,
        /** An NSRR XML file's stage events. */
        NSRR_XML,
        /** A BIDS events file. */
        BIDS_EVENTS,
        /** The signal file's own EDF+/BDF+ annotation signal, if it has one. */
        EMBEDDED
    }

    /** Checks that a file-based annotation source names its file. */
    public DiscoveredRecording {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(signalFile, "signalFile");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(annotations, "annotations");
        Objects.requireNonNull(annotationFile, "annotationFile");
        Objects.requireNonNull(channelsFile, "channelsFile");
        boolean separate = annotations != Annotations.HDF5 && annotations != Annotations.EMBEDDED;
        if (separate != annotationFile.isPresent()) {
            throw new IllegalArgumentException("annotationFile: " + annotationFile + " (expected: "
                    + (separate ? "a file for " : "none for ") + annotations + ")");
        }
    }
}
