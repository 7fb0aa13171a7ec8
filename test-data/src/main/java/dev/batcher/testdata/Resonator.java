package dev.batcher.testdata;

/**
 * White noise through a two-pole resonator: a rhythm whose amplitude and phase wander like an EEG
 * rhythm's. Retuning keeps the state, so the rhythm changes smoothly from epoch to epoch.
 */
final class Resonator {
    private final double fs;
    private double a1;
    private double a2;
    private double gain;
    private double y1;
    private double y2;

    Resonator(double fs) {
        this.fs = fs;
    }

    /**
     * Sets the centre frequency, the bandwidth and the RMS amplitude of the output.
     *
     * @param hz the centre frequency
     * @param bandwidthHz the -3 dB bandwidth, roughly
     * @param rms the output's RMS amplitude
     */
    void tune(double hz, double bandwidthHz, double rms) {
        double r = 1.0 - StrictMath.PI * bandwidthHz / fs;
        double cos = StrictMath.cos(2.0 * StrictMath.PI * hz / fs);
        a1 = 2.0 * r * cos;
        a2 = -r * r;
        // Variance of an AR(2) process per unit input variance.
        double opm = 1.0 - a2;
        double g = opm / ((1.0 + a2) * (opm * opm - a1 * a1));
        gain = rms / StrictMath.sqrt(SignalSynthesizer.NOISE_VARIANCE * g);
    }

    /**
     * Adds {@code n} output samples to {@code dst}, driven by the noise stream at {@code counter}.
     *
     * @param dst where to add
     * @param n how many samples
     * @param counter the noise stream's first counter
     */
    void addTo(double[] dst, int n, long counter) {
        double b1 = a1;
        double b2 = a2;
        double g = gain;
        double p1 = y1;
        double p2 = y2;
        for (int i = 0; i < n; i++) {
            long z = SplitMix64.mix(counter += SplitMix64.GOLDEN);
            double x = ((int) z + (int) (z >>> 32)) * 0x1.0p-32;
            double y = b1 * p1 + b2 * p2 + g * x;
            p2 = p1;
            p1 = y;
            dst[i] += y;
        }
        y1 = p1;
        y2 = p2;
    }
}
