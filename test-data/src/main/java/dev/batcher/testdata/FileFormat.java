package dev.batcher.testdata;

/** The file format the generator writes recordings in. */
public enum FileFormat {
    /** One HDF5 file per recording, in the Batcher layout, with its label dataset. */
    HDF5,
    /**
     * The Sleep-EDF layout: {@code SC4ssNE0-PSG.edf} (EDF+C, 16-bit, 30 s data records: the
     * channels labelled {@code <kind> <name>} ({@code EEG C3}, {@code EOG EOG-L}) at the sample rate plus a 1 Hz respiration channel) beside
     * {@code SC4ssNEC-Hypnogram.edf} (EDF+ annotations {@code Sleep stage W/1/2/3/R}).
     */
    EDF,
    /** As {@link #EDF}, with a 24-bit BDF+ PSG file ({@code SC4ssNE0-PSG.bdf}); the hypnogram stays EDF+. */
    BDF
}
