package dev.batcher.service.cli;

import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.labels.StageMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import dev.batcher.materializers.storage.Storage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code batcher index}: build a dataset's labeled-signals table from its files. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Scan a directory (or s3://bucket/prefix) of recordings (see docs/dataset-format.md), pair",
                "every signal with its labels and write labeled_signals.csv and recordings.json (each file's metadata",
                "and the byte layout of its contiguous datasets); then load it back, validating every file and field.",
                "HDF5 files carry their labels; EDF/BDF files get theirs from the layouts found with no flags",
                "(Sleep-EDF hypnograms, the NSRR tree, BIDS events, a recordings.csv manifest, or their own EDF+",
                "annotations); Onda datasets from their annotations table. Annotations are turned into one label per",
                "epoch through the AASM stage map or the dataset's stage_map.json."})
final class IndexCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET", description = "The dataset directory or s3://bucket/prefix.")
    String dir;

    @Option(names = "--epoch-seconds", paramLabel = "SECONDS", defaultValue = "30",
            description = "The label epoch of grids built from annotations (default: ${DEFAULT-VALUE}).")
    double epochSeconds;

    @Option(names = "--stage-map", paramLabel = "FILE",
            description = "A stage map JSON file (see docs/dataset-format.md) instead of the dataset's stage_map.json "
                    + "or the built-in AASM map.")
    Path stageMap;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        long epochNanos = Math.round(epochSeconds * 1e9);
        if (!(epochSeconds > 0) || epochNanos <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--epoch-seconds: " + epochSeconds + " (expected: a number of seconds > 0)");
        }
        StageMap map = stageMap == null ? null : StageMap.load(stageMap);
        String table = DatasetIndexer.index(dir, Storage.shared(), DatasetIndexer.labelSources(map), epochNanos);
        Dataset ds = Dataset.load(dir);
        out.printf("indexed %d labeled signals into %s%n", ds.signals().size(), table);
        return 0;
    }
}
