package dev.batcher.testdata;

/**
 * Draws a night's sleep stages, one per 30 s epoch, from a time-varying Markov chain. The base
 * transition matrix is a typical adult one; on top of it the chance of entering N3 rises early in
 * each ultradian cycle and fades through the night, and the chance of entering REM rises late in
 * each cycle and grows through the night (and is held down for the first hour). The result has the
 * familiar shape: sleep onset after some minutes awake, four or five cycles of roughly 90 minutes,
 * deep sleep in the first half, long REM periods towards morning, brief awakenings.
 */
final class Hypnogram {
    /** Base transition probabilities per 30 s epoch, rows from, columns to: W, N1, N2, N3, REM. */
    private static final double[][] BASE = {
        {0.900, 0.085, 0.012, 0.000, 0.003},
        {0.040, 0.740, 0.200, 0.000, 0.020},
        {0.008, 0.017, 0.930, 0.030, 0.015},
        {0.004, 0.001, 0.050, 0.945, 0.000},
        {0.015, 0.025, 0.030, 0.000, 0.930},
    };

    private static final double EPOCH_HOURS = 30.0 / 3600.0;
    private static final int N3 = Stage.N3.ordinal();
    private static final int REM = Stage.REM.ordinal();

    private Hypnogram() {
    }

    /**
     * Draws the stages of consecutive epochs, starting awake at lights-off.
     *
     * @param random the recording's hypnogram stream
     * @param epochs the number of epochs
     * @return the label code of each epoch
     */
    static byte[] draw(SplitMix64 random, int epochs) {
        double cycleHours = random.uniform(1.35, 1.75);
        byte[] codes = new byte[epochs];
        double[] row = new double[BASE.length];
        int stage = Stage.WAKE.ordinal();
        for (int e = 0; e < epochs; e++) {
            codes[e] = (byte) stage;
            double hours = (e + 1) * EPOCH_HOURS;
            double night = StrictMath.min(1.0, hours / 8.0);
            double cycle = (hours % cycleHours) / cycleHours;
            double deep = StrictMath.max(0.05, 1.0 - 1.4 * night) * (cycle > 0.1 && cycle < 0.55 ? 3.0 : 0.25);
            double dream = (0.5 + 2.0 * night) * (cycle > 0.7 ? 3.0 : 0.15) * (hours < 1.0 ? 0.05 : 1.0);
            double sum = 0.0;
            for (int to = 0; to < row.length; to++) {
                double p = BASE[stage][to];
                if (to == N3) {
                    p *= deep;
                } else if (to == REM) {
                    p *= dream;
                }
                row[to] = p;
                sum += p;
            }
            double u = random.nextDouble() * sum;
            int next = row.length - 1;
            for (int to = 0; to < row.length; to++) {
                u -= row[to];
                if (u < 0.0) {
                    next = to;
                    break;
                }
            }
            stage = next;
        }
        return codes;
    }
}
