package dev.batcher.service.cli;

import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import java.io.PrintWriter;
import dev.batcher.materializers.storage.Storage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code batcher index}: build a dataset's labeled-signals table from its files. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Scan a directory (or s3://bucket/prefix) of HDF5 recordings (see docs/dataset-format.md), pair",
                "every signal with its labels and write labeled_signals.csv and recordings.json (each file's metadata",
                "and the byte layout of its contiguous datasets); then load it back, validating every file and field."})
final class IndexCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET", description = "The dataset directory or s3://bucket/prefix.")
    String dir;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        String table = DatasetIndexer.index(dir, Storage.shared());
        Dataset ds = Dataset.load(dir);
        out.printf("indexed %d labeled signals into %s%n", ds.signals().size(), table);
        return 0;
    }
}
