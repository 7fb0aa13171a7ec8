package dev.batcher.testdata;

/** Spindle and sawtooth-wave bursts of the synthetic EEG. */
final class Burst {
    private Burst() {
    }

    /**
     * Adds a burst to {@code dst}: a sine (or a three-harmonic sawtooth) under a sine-squared
     * envelope, made by rotating two unit vectors rather than by a sine per sample.
     */
    static void add(double[] dst, double fs, int start, int length, double hz, double phase, double amplitude, boolean saw) {
        double ew = StrictMath.PI / length;
        double ecw = StrictMath.cos(ew);
        double esw = StrictMath.sin(ew);
        double w = 2.0 * StrictMath.PI * hz / fs;
        double cw = StrictMath.cos(w);
        double sw = StrictMath.sin(w);
        double ec = 1.0;
        double es = 0.0;
        double c = StrictMath.cos(phase);
        double s = StrictMath.sin(phase);
        for (int k = 0; k < length; k++) {
            // sin(p) - sin(2p)/2 + sin(3p)/3, with sin(2p) = 2 s c and sin(3p) = 3 s - 4 s^3
            double v = saw ? s - s * c + s * (3.0 - 4.0 * s * s) / 3.0 : s;
            dst[start + k] += amplitude * es * es * v;
            double nc = c * cw - s * sw;
            s = s * cw + c * sw;
            c = nc;
            double nec = ec * ecw - es * esw;
            es = es * ecw + ec * esw;
            ec = nec;
        }
    }
}
