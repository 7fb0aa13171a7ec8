package dev.batcher.testdata;

import java.util.List;

/**
 * The electrode sets a recording may have, and how strongly each electrode picks up each generator.
 * The synthetic EEG is a sum of a few shared sources (posterior alpha; central theta, spindles and
 * sawtooth waves; frontal delta, K-complexes and beta; eye movements) mixed into the channels with
 * these weights, plus noise of each channel's own.
 */
final class Montage {
    /** Source rows of the mixing weights. */
    static final int POSTERIOR = 0;
    static final int CENTRAL = 1;
    static final int FRONTAL = 2;
    static final int EYES = 3;
    static final int SOURCES = 4;

    /** Where an electrode sits, which fixes its weights. */
    enum Kind {
        //        posterior central frontal eyes  pink  emg
        OCCIPITAL(1.00, 0.55, 0.55, 0.00, 6.0, 0.0),
        CENTRAL(0.50, 1.00, 0.85, 0.02, 6.0, 0.0),
        FRONTAL(0.30, 0.80, 1.00, 0.15, 6.0, 0.0),
        MASTOID(0.15, 0.20, 0.25, 0.05, 4.0, 0.0),
        EOG_LEFT(0.05, 0.10, 0.45, 1.00, 6.0, 0.0),
        EOG_RIGHT(0.05, 0.10, 0.45, -1.00, 6.0, 0.0),
        EMG(0.00, 0.00, 0.03, 0.00, 1.0, 1.0);

        final double[] weights;
        final double pinkRms;
        final double emgWeight;

        Kind(double posterior, double central, double frontal, double eyes, double pinkRms, double emgWeight) {
            this.weights = new double[] {posterior, central, frontal, eyes};
            this.pinkRms = pinkRms;
            this.emgWeight = emgWeight;
        }
    }

    /**
     * The channel sets recordings are drawn from: full 8-channel EEG, EEG without occipital
     * electrodes, EEG plus EOG and chin EMG, a reordered set with EMG, and a right-first set with EOG.
     */
    static final List<List<String>> TEMPLATES = List.of(
            List.of("C3", "C4", "O1", "O2", "F3", "F4", "M1", "M2"),
            List.of("F3", "F4", "C3", "C4", "M1", "M2"),
            List.of("C3", "C4", "O1", "O2", "F3", "F4", "M1", "M2", "EOG-L", "EOG-R", "EMG"),
            List.of("F3", "C3", "O1", "M2", "F4", "C4", "O2", "M1", "EMG"),
            List.of("C4", "C3", "F4", "F3", "M2", "M1", "EOG-L", "EOG-R"));

    /** The most channels any template has. */
    static final int MAX_CHANNELS = TEMPLATES.stream().mapToInt(List::size).max().orElseThrow();

    private Montage() {
    }

    /**
     * Returns where an electrode sits.
     *
     * @param channel a channel name from {@link #TEMPLATES}
     * @return its kind
     */
    static Kind kindOf(String channel) {
        switch (channel) {
            case "O1":
            case "O2":
                return Kind.OCCIPITAL;
            case "C3":
            case "C4":
                return Kind.CENTRAL;
            case "F3":
            case "F4":
                return Kind.FRONTAL;
            case "M1":
            case "M2":
                return Kind.MASTOID;
            case "EOG-L":
                return Kind.EOG_LEFT;
            case "EOG-R":
                return Kind.EOG_RIGHT;
            case "EMG":
                return Kind.EMG;
            default:
                throw new IllegalArgumentException("channel: " + channel + " (expected: one of the template channels)");
        }
    }
}
