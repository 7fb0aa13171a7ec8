/**
 * Synthetic polysomnography datasets for tests and benchmarks: {@link dev.batcher.testdata.SyntheticDataset#generate}
 * writes a directory of HDF5 files whose sleep stages can be learned from their EEG.
 *
 * <h2>Format</h2>
 * One file {@code rec-NNNN.h5} per recording, written with jhdf, holding:
 * <ul>
 *   <li>root attribute {@code recording} (string): the recording id, {@code rec-NNNN};</li>
 *   <li>{@code /signals/eeg}: int16 {@code [channels, samples]}, contiguous or chunked (optionally
 *       shuffled and deflated), with attributes {@code channels} (string array), {@code sample_rate}
 *       (double, Hz), {@code resolution} and {@code offset} (double; the value in {@code unit} is
 *       {@code sample * resolution + offset}), {@code unit} ({@code "microvolt"}), {@code start_ns}
 *       (double holding a whole number of nanoseconds) and {@code labels} ({@code "/labels/stage"});</li>
 *   <li>{@code /labels/stage}: int8 {@code [1, n]}, one sleep stage per 30 s epoch, with attributes
 *       {@code sample_rate} ({@code 1/30.0}), {@code start_ns} (double; the signal's start or a whole
 *       number of epochs after it), {@code encoding} ({@code {"wake","n1","n2","n3","rem"}}) and
 *       {@code channels} ({@code {"stage"}}). The labels end at or before the end of the signal.</li>
 * </ul>
 * jhdf also adds a root attribute {@code _jHDF} naming its version. Nothing else is written: the
 * {@code labeled_signals.csv} table is the indexer's job.
 *
 * <h2>Content</h2>
 * Recordings differ in length (uniform in the options' hours range), channel set and order (the
 * full {@code C3 C4 O1 O2 F3 F4 M1 M2}, without the occipital pair, or with {@code EOG-L EOG-R} and
 * a chin {@code EMG}), resolution (0.0625 to 0.1953125 µV), a non-zero offset, per-channel gain,
 * and individual rhythm frequencies. The stages follow a Markov chain that cycles through the night
 * (see {@code Hypnogram}); the signal follows the stages: posterior alpha when awake, theta in N1,
 * spindles and K-complexes in N2, high-amplitude frontal delta in N3, theta with sawtooth waves and
 * rapid eye movements in REM, chin EMG high when awake and lowest in REM, all over pink-ish
 * background noise. Log band powers of a 30 s window separate the stages at over 90% with a
 * nearest-centroid classifier.
 *
 * <h2>Determinism</h2>
 * Every random draw comes from a SplitMix64 stream keyed by the seed, the recording, the epoch and
 * the purpose; transcendental functions come from {@link java.lang.StrictMath}. The files are
 * byte-identical for the same options whatever the thread count. The samples are the same on every
 * JVM; the files' bytes may differ between platforms only where jhdf's {@code _jHDF} attribute names
 * the operating system and architecture, and, for the deflate layouts, where the JDK's zlib differs.
 */
package dev.batcher.testdata;
