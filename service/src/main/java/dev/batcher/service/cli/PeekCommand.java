package dev.batcher.service.cli;

import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code batcher peek}: materialise one batch in this process and describe it. */
@Command(name = "peek", mixinStandardHelpOptions = true,
        description = {"Materialise the batch at a state and print its shapes, per-channel mean and standard deviation,",
                "the label histogram and the next state. Optionally list each item's windows (--items), write x.npy and",
                "y.npy for numpy (--npy) and draw one item's channels over its labels as a PNG (--png)."})
final class PeekCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET",
            description = "The dataset directory or s3://bucket/prefix (with labeled_signals.csv).")
    String dataset;

    @Mixin
    SourceOptions source;

    @Option(names = "--state", paramLabel = "STATE", description = "The state, as seed=S,batch=B (default: seed=0,batch=0).",
            defaultValue = "seed=0,batch=0")
    String state;

    @Option(names = "--npy", paramLabel = "DIR", description = "Write x.npy and y.npy into this directory.")
    Path npy;

    @Option(names = "--items", description = "Print each item's recording, file, sample window, label window and channels.")
    boolean items;

    @Option(names = "--png", paramLabel = "FILE",
            description = "Draw one item (--item) as a PNG: its channels as stacked traces over its label track.")
    Path png;

    @Option(names = "--item", paramLabel = "I", defaultValue = "0",
            description = "The item --png draws, from 0 (default: ${DEFAULT-VALUE}).")
    int item;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * What a peek saw.
     *
     * @param xShape the shape of x
     * @param yShape the shape of y
     * @param channels the name of each channel row
     * @param mean per channel, over items and samples
     * @param std per channel, over items and samples
     * @param labels label name to count
     * @param next the next state, or null at the end of the data
     */
    record Result(int[] xShape, int[] yShape, List<String> channels, double[] mean, double[] std, Map<String, Long> labels,
            String next) {}

    @Override
    public Integer call() throws Exception {
        Result r = run(new PrintWriter(spec.commandLine().getOut(), true));
        return r == null ? 1 : 0;
    }

    Result run(PrintWriter out) throws Exception {
        Dataset ds = Dataset.load(dataset);
        BatchState at = BatchState.parse(state);
        MaterializeOptions options = source.options();
        if (png != null && options.featurizer() != null) {
            throw new IllegalArgumentException("--png: " + png + " with --featurizer " + options.featurizer()
                    + " (expected: no featurizer: --png draws channels over time)");
        }
        Step step = BatchSources.build(source.source(), ds.signals()).next(at);
        if (step instanceof Step.End end) {
            out.printf("end of data at %s: this finite source has no batch there%n", end.last());
            return new Result(new int[0], new int[0], List.of(), new double[0], new double[0], Map.of(), null);
        }
        Step.Next next = (Step.Next) step;
        BatchSpec batchSpec = next.spec();
        if (png != null && (item < 0 || item >= batchSpec.items().size())) {
            throw new IllegalArgumentException("--item: " + item + " (expected: >= 0 and < the batch size "
                    + batchSpec.items().size() + ")");
        }
        try (RecordingFiles files = ds.openFiles(64);
                Batch batch = new Materializer(files, options, Kernels.defaults()).materialize(batchSpec)) {
            List<String> encoding = ds.signals().get(0).labels().encoding();
            Result r = describe(batch, channelNames(batch.xShape()), encoding, next.state().toString());
            print(out, ds, at, r);
            if (items) {
                printItems(out, batchSpec);
            }
            if (npy != null) {
                java.nio.file.Files.createDirectories(npy);
                Npy.write(npy.resolve("x.npy"), batch.x(), batch.xShape());
                Npy.write(npy.resolve("y.npy"), batch.y(), batch.yShape());
                out.printf("wrote    %s and %s%n", npy.resolve("x.npy"), npy.resolve("y.npy"));
            }
            if (png != null) {
                PeekPlot.write(plotItem(ds, at, batchSpec, batch, options), png);
                out.printf("wrote    %s (item %d)%n", png, item);
            }
            return r;
        }
    }

    private static void printItems(PrintWriter out, BatchSpec batchSpec) {
        List<ItemSpec> all = batchSpec.items();
        for (int i = 0; i < all.size(); i++) {
            ItemSpec it = all.get(i);
            out.printf("item %-3d recording %s, file %s, samples [%d, %d) of %s, labels [%d, %d) of %s%s, channels %s%n", i,
                    it.recording(), it.file(), it.sampleStart(), it.sampleStart() + it.sampleCount(), it.signal(),
                    it.labelStart(), it.labelStart() + it.labelCount(), it.labels(),
                    it.labelSkip() > 0 ? " (first " + it.labelSkip() + " covered earlier)" : "", it.channels());
        }
    }

    private PeekPlot.Item plotItem(Dataset ds, BatchState at, BatchSpec batchSpec, Batch batch, MaterializeOptions options) {
        ItemSpec it = batchSpec.items().get(item);
        LabeledSignal signal = ds.signals().stream()
                .filter(l -> l.file().equals(it.file()) && l.signal().dataset().equals(it.signal())
                        && l.labels().dataset().equals(it.labels()))
                .findFirst().orElseThrow(() -> new IllegalStateException("item " + item + " (" + it.describe()
                        + ") has no labeled signal in " + ds.root()));
        int[] xs = batch.xShape();
        int c = xs[1];
        int samples = xs[2];
        float[][] traces = new float[c][samples];
        FloatBuffer x = batch.x();
        for (int ch = 0; ch < c; ch++) {
            x.get((item * c + ch) * samples, traces[ch]);
        }
        int[] ys = batch.yShape();
        int perChannel = ys.length > 2 ? ys[2] : ys[1];
        int[] labels = new int[perChannel];
        int labelChannels = ys.length > 2 ? ys[1] : 1;
        batch.y().get(item * labelChannels * perChannel, labels);
        double rate = options.targetRateHz() != null ? options.targetRateHz() : signal.signal().sampleRate();
        String unit = options.normalize() ? "z-score" : signal.signal().unit();
        String title = String.format("item %d of batch %s: %s, %s, samples [%d, %d) at %s Hz; amplitude in %s", item, at,
                it.recording(), it.file(), it.sampleStart(), it.sampleStart() + it.sampleCount(),
                trim(signal.signal().sampleRate()), unit);
        return new PeekPlot.Item(title, itemChannels(it, signal, c), unit, rate, traces, signal.labels().channels().get(0),
                1.0 / signal.labels().sampleRate(), labels, signal.labels().encoding());
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The name of each of an item's channel rows: the signal's for all, the selector's arguments otherwise. */
    private static List<String> itemChannels(ItemSpec it, LabeledSignal signal, int c) {
        if (it.channels().selector().equals("all") && signal.signal().channels().size() == c) {
            return signal.signal().channels();
        }
        if (it.channels().arguments().size() == c) {
            return it.channels().arguments();
        }
        String[] names = new String[c];
        for (int i = 0; i < c; i++) {
            names[i] = "#" + i;
        }
        return List.of(names);
    }

    private List<String> channelNames(int[] xShape) {
        int c = xShape.length > 1 ? xShape[1] : 1;
        if (source.channels != null && source.numChannels == null && source.featurizer == null) {
            var sel = dev.batcher.api.ChannelSelection.parse(source.channels);
            if (sel.arguments().size() == c) {
                return sel.arguments();
            }
        }
        String[] names = new String[c];
        for (int i = 0; i < c; i++) {
            names[i] = "#" + i;
        }
        return List.of(names);
    }

    static Result describe(Batch batch, List<String> channels, List<String> encoding, String next) {
        int[] xs = batch.xShape();
        int items = xs[0];
        int c = xs.length > 1 ? xs[1] : 1;
        int per = 1;
        for (int i = 2; i < xs.length; i++) {
            per *= xs[i];
        }
        double[] sum = new double[c];
        double[] sq = new double[c];
        FloatBuffer x = batch.x();
        for (int i = 0; i < items; i++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * per;
                for (int k = 0; k < per; k++) {
                    double v = x.get(base + k);
                    sum[ch] += v;
                    sq[ch] += v * v;
                }
            }
        }
        double n = (double) items * per;
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = sum[ch] / n;
            std[ch] = Math.sqrt(Math.max(0, sq[ch] / n - mean[ch] * mean[ch]));
        }
        Map<String, Long> labels = new TreeMap<>();
        IntBuffer y = batch.y();
        for (int i = 0; i < y.remaining(); i++) {
            int v = y.get(i);
            String label = v == -1 ? "(covered earlier)" : v >= 0 && v < encoding.size() ? encoding.get(v) : "value " + v;
            labels.merge(label, 1L, Long::sum);
        }
        return new Result(xs, batch.yShape(), channels, mean, std, labels, next);
    }

    private static void print(PrintWriter out, Dataset ds, BatchState at, Result r) {
        out.printf("dataset  %s (%d labeled signals)%n", ds.location(), ds.signals().size());
        out.printf("state    %s%n", at);
        out.printf("x        float32 %s (%.1f MB)%n", Arrays.toString(r.xShape()), 4.0 * product(r.xShape()) / 1e6);
        out.printf("y        int32   %s%n", Arrays.toString(r.yShape()));
        out.printf("%-10s %12s %12s%n", "channel", "mean", "std");
        for (int i = 0; i < r.mean().length; i++) {
            out.printf("%-10s %12.4f %12.4f%n", r.channels().get(i), r.mean()[i], r.std()[i]);
        }
        out.printf("labels   %s%n", r.labels());
        out.printf("next     %s%n", r.next());
    }

    private static long product(int[] shape) {
        long p = 1;
        for (int d : shape) {
            p *= d;
        }
        return p;
    }
}
