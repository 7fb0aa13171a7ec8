package dev.batcher.samples.cli;

import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.testdata.GenerationReport;
import dev.batcher.testdata.FileFormat;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code batcher generate}: write a synthetic polysomnography dataset and index it. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write a synthetic polysomnography dataset: recordings of different lengths and montages, int16",
                "with resolution and offset, sleep stages every 30 s, and stage-dependent EEG (alpha in wake, spindles",
                "in N2, delta in N3). Then write its labeled_signals.csv. The same seed gives the same bytes."})
final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Where to write the dataset (created if missing).")
    Path dir;

    @Option(names = "--recordings", defaultValue = "8", description = "How many recordings (default: ${DEFAULT-VALUE}).")
    int recordings;

    @Option(names = "--min-hours", defaultValue = "2", description = "Shortest recording in hours (default: ${DEFAULT-VALUE}).")
    double minHours;

    @Option(names = "--max-hours", defaultValue = "8", description = "Longest recording in hours (default: ${DEFAULT-VALUE}).")
    double maxHours;

    @Option(names = "--sample-rate", defaultValue = "256", description = "Signal sample rate in Hz (default: ${DEFAULT-VALUE}).")
    double sampleRate;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layout", defaultValue = "CONTIGUOUS",
            description = "HDF5 layout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Layout layout;

    @Option(names = "--format", defaultValue = "hdf5", description = {"File format: hdf5, edf or bdf (default: ${DEFAULT-VALUE}).",
            "EDF and BDF write the Sleep-EDF layout: SC4ssNE0-PSG.edf|bdf (channels labelled 'EEG C3', 'EOG EOG-L'..., a 1 Hz",
            "respiration channel) beside SC4ssNEC-Hypnogram.edf (EDF+ 'Sleep stage' annotations)."})
    String format;

    @Option(names = "--threads", description = "Generator threads (default: the number of cores).")
    Integer threads;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        run(new PrintWriter(spec.commandLine().getOut(), true));
        return 0;
    }

    private FileFormat fileFormat() {
        try {
            return FileFormat.valueOf(format.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--format: '" + format + "' (expected: hdf5, edf or bdf)");
        }
    }

    GenerationReport run(PrintWriter out) {
        GeneratorOptions.Builder b = GeneratorOptions.builder().seed(seed).recordings(recordings).hours(minHours, maxHours)
                .sampleRate(sampleRate).layout(layout).format(fileFormat());
        b.threads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        GenerationReport report = SyntheticDataset.generate(dir, b.build());
        Path table = DatasetIndexer.index(dir);
        out.printf("wrote %d recordings, %.1f MB (%.1f MB of samples) in %.1f s: %.0f MB/s%n", report.recordings().size(),
                report.totalBytes() / 1e6, report.sampleBytes() / 1e6, report.elapsed().toMillis() / 1e3,
                report.sampleMegabytesPerSecond());
        out.printf("indexed %s%n", table);
        return report;
    }
}
