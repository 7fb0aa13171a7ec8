package dev.batcher.testdata;

import java.util.List;

/**
 * The sleep stages (AASM), in label-code order: a label value {@code i} means {@code values()[i]}.
 * Each stage carries the strength of every generator of the synthetic EEG: the RMS amplitude of the
 * noise-driven rhythms, the rate and size of the transient events, the eye movements and the chin
 * muscle tone. The numbers are in microvolts at a weight-1 electrode and were tuned so that log band
 * powers of a 30 s window separate the stages with a linear model.
 */
enum Stage {
    //   alpha theta delta beta  spindles/min amp  K/min amp   saw/min amp  eye         emg
    WAKE("wake", 20.0, 4.0, 3.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, EyeMovements.WAKE, 22.0),
    N1("n1", 4.0, 18.0, 6.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, EyeMovements.ROLLING, 10.0),
    N2("n2", 2.5, 8.0, 12.0, 1.5, 5.0, 24.0, 2.0, 85.0, 0.0, 0.0, EyeMovements.NONE, 7.0),
    N3("n3", 1.5, 7.0, 45.0, 1.0, 1.0, 14.0, 0.0, 0.0, 0.0, 0.0, EyeMovements.NONE, 6.0),
    REM("rem", 5.0, 7.0, 5.0, 5.0, 0.0, 0.0, 0.0, 0.0, 4.0, 28.0, EyeMovements.RAPID, 2.0);

    /** How the eyes move in a stage. */
    enum EyeMovements {
        /** Blinks and saccades. */
        WAKE,
        /** Slow rolling movements at sleep onset. */
        ROLLING,
        /** Hardly any. */
        NONE,
        /** Bursts of rapid conjugate movements. */
        RAPID
    }

    /** The label encoding written to files: {@code encoding[i]} names label value {@code i}. */
    static final List<String> ENCODING = List.of("wake", "n1", "n2", "n3", "rem");

    private static final Stage[] VALUES = values();

    final String label;
    final double alphaRms;
    final double thetaRms;
    final double deltaRms;
    final double betaRms;
    final double spindlesPerMinute;
    final double spindleAmplitude;
    final double kComplexesPerMinute;
    final double kComplexAmplitude;
    final double sawtoothBurstsPerMinute;
    final double sawtoothAmplitude;
    final EyeMovements eyes;
    final double emgRms;

    Stage(String label, double alphaRms, double thetaRms, double deltaRms, double betaRms,
            double spindlesPerMinute, double spindleAmplitude, double kComplexesPerMinute,
            double kComplexAmplitude, double sawtoothBurstsPerMinute, double sawtoothAmplitude,
            EyeMovements eyes, double emgRms) {
        this.label = label;
        this.alphaRms = alphaRms;
        this.thetaRms = thetaRms;
        this.deltaRms = deltaRms;
        this.betaRms = betaRms;
        this.spindlesPerMinute = spindlesPerMinute;
        this.spindleAmplitude = spindleAmplitude;
        this.kComplexesPerMinute = kComplexesPerMinute;
        this.kComplexAmplitude = kComplexAmplitude;
        this.sawtoothBurstsPerMinute = sawtoothBurstsPerMinute;
        this.sawtoothAmplitude = sawtoothAmplitude;
        this.eyes = eyes;
        this.emgRms = emgRms;
    }

    /** Returns the label code written to files. */
    byte code() {
        return (byte) ordinal();
    }

    /**
     * Returns the stage with a label code.
     *
     * @param code a label value in {@code [0, 5)}
     * @return the stage
     */
    static Stage ofCode(int code) {
        return VALUES[code];
    }
}
