package dev.batcher.samples.sleep;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.Batcher;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Taken;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.features.BandPowerFeaturizer;
import dev.batcher.materializers.iteration.SequentialBatches;
import dev.batcher.materializers.iteration.SignalFilter;
import dev.batcher.materializers.iteration.Step;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ojalgo.matrix.store.R064Store;

/** One training run of {@link SleepStageTrainer}: the state of the loop. */
final class TrainingRun {
    /** The moving-average weight of the newest step. */
    private static final double EMA = 0.05;

    private final TrainOptions o;
    private final BatcherFactory factory;
    private final PrintStream out;
    private final StepListener listener;
    private final List<String> classes;
    private final BatcherSpec trainSpec;
    private final BatcherSpec validSpec;
    private final String validDescription;
    private final Map<String, String> settings;
    private final Path checkpointFile;

    private long step;
    private BatchState state;
    private double lossEma = Double.NaN;
    private double accuracyEma = Double.NaN;
    private StageModel model;
    private Standardizer stats;
    private Adam adam;
    private Path lastCheckpoint;

    TrainingRun(TrainOptions o, BatcherFactory factory, PrintStream out, StepListener listener) {
        this.o = o;
        this.factory = factory;
        this.out = out;
        this.listener = listener;
        TrainOptions.check(o);
        Dataset dataset = Dataset.load(o.dataset);
        LabeledSignal first = dataset.signals().get(0);
        this.classes = first.labels().encoding();
        long period = first.labels().periodNanos();
        for (LabeledSignal s : dataset.signals()) {
            if (!s.labels().encoding().equals(classes) || s.labels().periodNanos() != period) {
                throw new IllegalArgumentException("--dataset " + dataset.location() + ": " + s.file() + " labels "
                        + s.labels().encoding() + " every " + s.labels().periodNanos() + " ns (expected: the same "
                        + "labels and period as " + first.file() + ", " + classes + " every " + period + " ns)");
            }
        }
        double seconds = period / 1e9;
        MaterializeOptions materialize = MaterializeOptions.defaults()
                .withFeaturizer(BandPowerFeaturizer.NAME, o.featurizerArgs);
        List<String> recordings = new ArrayList<>(new LinkedHashSet<>(
                dataset.signals().stream().map(LabeledSignal::recording).toList()));
        int holdout = o.holdout != null ? o.holdout : o.validDataset != null ? 0 : 2;
        if (holdout < 0 || holdout >= recordings.size()) {
            throw new IllegalArgumentException("--holdout: " + holdout + " (expected: 0 to " + (recordings.size() - 1)
                    + "; the dataset has " + recordings.size() + " recordings)");
        }
        Set<String> held = new LinkedHashSet<>(recordings.subList(recordings.size() - holdout, recordings.size()));
        List<String> trainRecordings = recordings.subList(0, recordings.size() - holdout);
        double[] weights = null;
        if (holdout > 0) {
            weights = new double[dataset.signals().size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = held.contains(dataset.signals().get(i).recording()) ? 0 : 1;
            }
        }
        this.trainSpec = new BatcherSpec(dataset.location().toString(),
                new SourceConfig.Random(o.batchSize, seconds, null, o.channels, weights, null, o.signals), materialize, null, null);
        if (o.validDataset != null) {
            Dataset valid = Dataset.load(o.validDataset);
            for (LabeledSignal s : valid.signals()) {
                if (!s.labels().encoding().equals(classes)) {
                    throw new IllegalArgumentException("--valid-dataset " + valid.location() + ": " + s.file() + " labels "
                            + s.labels().encoding() + " (expected: " + classes + ", as in --dataset)");
                }
            }
            this.validSpec = new BatcherSpec(valid.location().toString(),
                    new SourceConfig.Sequential(o.evalBatchSize, seconds, o.channels, o.signals), materialize, null, null);
            this.validDescription = "valid " + valid.location() + " (" + valid.signals().size() + " signals)";
        } else if (holdout > 0) {
            List<LabeledSignal> heldSignals = SignalFilter.apply(o.signals, dataset.signals()).stream()
                    .filter(s -> held.contains(s.recording())).toList();
            SequentialBatches windows = new SequentialBatches(heldSignals, o.evalBatchSize, period,
                    ChannelSelection.parse(o.channels));
            List<BatchSpec> specs = new ArrayList<>();
            Step s = windows.next(BatchState.initial(0));
            while (s instanceof Step.Next next) {
                specs.add(next.spec());
                s = windows.next(next.state());
            }
            this.validSpec = new BatcherSpec(dataset.location().toString(), new SourceConfig.Specs(specs), materialize, null, null);
            this.validDescription = "held out " + held + " (" + windows.windows() + " windows)";
        } else {
            this.validSpec = null;
            this.validDescription = "no validation set";
        }
        Map<String, String> s = new TreeMap<>();
        s.put("batchSize", Integer.toString(o.batchSize));
        s.put("channels", o.channels);
        s.put("classes", String.join(",", classes));
        s.put("featurizerArgs", String.join("|", o.featurizerArgs));
        s.put("hidden", Integer.toString(o.hidden));
        s.put("learningRate", Double.toString(o.learningRate));
        s.put("seed", Long.toString(o.seed));
        s.put("statsBatches", Integer.toString(o.statsBatches));
        s.put("trainRecordings", String.join(",", trainRecordings));
        s.put("weightDecay", Double.toString(o.weightDecay));
        this.settings = s;
        this.checkpointFile = o.checkpointDir == null ? null : o.checkpointDir.resolve(Checkpoint.FILE_NAME);
        this.state = BatchState.initial(o.seed);
        out.printf(Locale.ROOT, "sleep-stage-trainer: %s, train %s, %s; channels %s, batch %d, %s%n", dataset.location(),
                trainRecordings, validDescription, o.channels, o.batchSize,
                o.hidden == 0 ? "softmax regression" : "MLP with " + o.hidden + " hidden units");
    }

    TrainResult train() {
        prepareCheckpoints();
        long startStep = step;
        List<Double> losses = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        long loopStart = System.nanoTime();
        long takeTotal = 0;
        Interval interval = new Interval(loopStart);
        try (Batcher batcher = factory.open("train", trainSpec);
                java.io.Writer digestLog = o.digestLog == null ? java.io.Writer.nullWriter()
                        : java.nio.file.Files.newBufferedWriter(o.digestLog, java.nio.charset.StandardCharsets.UTF_8,
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            while (step < o.steps) {
                long t0 = System.nanoTime();
                Taken taken = batcher.take(state);
                long t1 = System.nanoTime();
                if (!(taken instanceof Taken.Next next)) {
                    throw new IllegalStateException("the training source ended at " + state
                            + " (expected: an endless random source)");
                }
                Features f;
                try (Batch batch = next.batch()) {
                    if (o.digests || o.digestLog != null) {
                        String d = SleepStageTrainer.digest(batch);
                        if (o.digests) {
                            digests.add(d);
                        }
                        digestLog.write((step + 1) + " " + state + " " + d + "\n");
                        digestLog.flush();
                    }
                    f = Features.of(batch);
                }
                double loss = learn(f);
                losses.add(loss);
                step++;
                state = next.state();
                boolean checkpointed = false;
                if (checkpointFile != null && step % o.checkpointEvery == 0) {
                    writeCheckpoint();
                    checkpointed = true;
                }
                if (o.crashAfter > 0 && step == o.crashAfter) {
                    out.flush();
                    Runtime.getRuntime().halt(137);
                }
                long t2 = System.nanoTime();
                takeTotal += t1 - t0;
                interval.add(t1 - t0);
                listener.afterStep(step, state, loss, checkpointed);
                if (interval.due(t2, step) || step == o.steps) {
                    progress(interval, t2);
                }
            }
            if (checkpointFile != null && step > startStep && step % o.checkpointEvery != 0) {
                writeCheckpoint();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("--digest-log " + o.digestLog + ": " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - loopStart) / 1e9;
        long done = step - startStep;
        double rate = done == 0 ? 0 : done / seconds;
        double waitShare = done == 0 ? 0 : takeTotal / 1e9 / seconds;
        long[][] confusion = new long[classes.size()][classes.size()];
        long counted = evaluate(confusion);
        long correct = 0;
        for (int c = 0; c < classes.size(); c++) {
            correct += confusion[c][c];
        }
        double accuracy = counted == 0 ? Double.NaN : (double) correct / counted;
        out.println(finalLine(done, seconds, rate, waitShare, accuracy, correct, counted, confusion));
        return new TrainResult(startStep, step, state.toString(), accuracy, counted, classes, confusion, lossEma,
                accuracyEma, losses.stream().mapToDouble(Double::doubleValue).toArray(), rate, waitShare, seconds,
                digests, model == null ? new double[0] : model.flatten(), lastCheckpoint);
    }

    /** One step of learning; returns the batch's loss (NaN if it held no labeled item). */
    private double learn(Features f) {
        if (model == null) {
            model = StageModel.initial(f.features(), o.hidden, classes.size(), o.seed * 0x9E3779B97F4A7C15L + 1);
            stats = new Standardizer(f.features());
            adam = new Adam(o.learningRate, model.parameterSizes());
        } else if (f.features() != model.inputs()) {
            throw new IllegalStateException("batch at " + state + ": " + f.features() + " features per item (expected: "
                    + model.inputs() + ", as the model" + (lastCheckpoint == null ? "" : " in " + lastCheckpoint) + ")");
        }
        if (f.rows() == 0) {
            return Double.NaN;
        }
        if (step < o.statsBatches) {
            stats.update(f.x());
        }
        stats.apply(f.x());
        R064Store[] gradients = new R064Store[model.parameters().length];
        StageModel.Loss loss = model.gradients(f.x(), f.y(), o.weightDecay, gradients);
        adam.step(model.parameters(), gradients);
        double accuracy = (double) loss.correct() / f.rows();
        lossEma = Double.isNaN(lossEma) ? loss.loss() : lossEma + EMA * (loss.loss() - lossEma);
        accuracyEma = Double.isNaN(accuracyEma) ? accuracy : accuracyEma + EMA * (accuracy - accuracyEma);
        return loss.loss();
    }

    /** Runs the model over the validation batcher; returns the epochs counted. */
    private long evaluate(long[][] confusion) {
        if (validSpec == null || model == null) {
            return 0;
        }
        long counted = 0;
        try (Batcher batcher = factory.open("valid", validSpec)) {
            BatchState at = BatchState.initial(0);
            while (batcher.take(at) instanceof Taken.Next next) {
                Features f;
                try (Batch batch = next.batch()) {
                    f = Features.of(batch);
                }
                if (f.rows() > 0) {
                    stats.apply(f.x());
                    int[] predicted = model.predict(f.x());
                    for (int i = 0; i < predicted.length; i++) {
                        confusion[f.y()[i]][predicted[i]]++;
                    }
                    counted += predicted.length;
                }
                at = next.state();
            }
        }
        return counted;
    }

    private String finalLine(long done, double seconds, double rate, double waitShare, double accuracy, long correct,
            long counted, long[][] confusion) {
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "done: step %d (%d this run) in %.1f s, %.2f batches/s, take-wait %.1f%%; ",
                step, done, seconds, rate, 100 * waitShare));
        if (counted == 0) {
            line.append("no held-out evaluation");
        } else {
            line.append(String.format(Locale.ROOT, "held-out accuracy %.4f (%d/%d epochs); confusion rows=true cols=predicted",
                    accuracy, correct, counted));
            for (int c = 0; c < classes.size(); c++) {
                line.append(' ').append(classes.get(c)).append(Arrays.toString(confusion[c]).replace(" ", ""));
            }
        }
        return line.toString();
    }

    private void progress(Interval interval, long now) {
        double seconds = (now - interval.start) / 1e9;
        out.printf(Locale.ROOT, "step %d/%d  loss %.4f  train acc %.3f  %.2f batches/s  take-wait %.1f%%%s%n", step,
                o.steps, lossEma, accuracyEma, interval.steps / seconds, 100.0 * interval.takeNanos / (now - interval.start),
                step <= o.statsBatches ? "  (estimating feature statistics)" : "");
        interval.reset(now);
    }

    /** Counters since the last progress line. */
    private final class Interval {
        long start;
        long steps;
        long takeNanos;

        Interval(long start) {
            this.start = start;
        }

        void add(long take) {
            steps++;
            takeNanos += take;
        }

        boolean due(long now, long step) {
            return (o.progressEvery > 0 && step % o.progressEvery == 0)
                    || (o.progressSeconds > 0 && now - start >= o.progressSeconds * 1e9);
        }

        void reset(long now) {
            start = now;
            steps = 0;
            takeNanos = 0;
        }
    }

    private void prepareCheckpoints() {
        if (checkpointFile == null) {
            return;
        }
        try {
            Files.createDirectories(o.checkpointDir);
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(o.checkpointDir, Checkpoint.FILE_NAME + ".*.tmp")) {
                for (Path p : stale) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(o.checkpointDir + ": cannot be prepared (expected: a writable directory): " + e, e);
        }
        if (!Files.exists(checkpointFile)) {
            if (o.resume) {
                out.println("no checkpoint at " + checkpointFile + ": starting at step 0");
            }
            return;
        }
        if (!o.resume) {
            throw new CheckpointException(checkpointFile + ": exists (expected: --resume to continue from it, or a "
                    + "--checkpoint-dir without one)", null);
        }
        restore(Checkpoint.read(checkpointFile));
        lastCheckpoint = checkpointFile;
        out.printf(Locale.ROOT, "resumed from %s: step %d, state %s%n", checkpointFile, step, state);
    }

    private void restore(Checkpoint c) {
        if (!c.settings().equals(settings)) {
            List<String> differences = new ArrayList<>();
            Set<String> keys = new TreeSet<>(settings.keySet());
            keys.addAll(c.settings().keySet());
            for (String k : keys) {
                if (!Objects.equals(settings.get(k), c.settings().get(k))) {
                    differences.add(k + " " + c.settings().get(k) + " (now " + settings.get(k) + ")");
                }
            }
            throw new CheckpointException(checkpointFile + ": written by a run with other settings: "
                    + String.join(", ", differences) + " (expected: the same settings; use another --checkpoint-dir "
                    + "to change them)", null);
        }
        try {
            step = c.step();
            state = c.state();
            lossEma = c.lossEma();
            accuracyEma = c.accuracyEma();
            if (c.arrays().isEmpty()) {
                return;
            }
            List<String> names = StageModel.parameterNames(o.hidden);
            int inputs = c.array("model." + names.get(0)).rows();
            List<double[]> values = new ArrayList<>();
            double[][] m = new double[names.size()][];
            double[][] v = new double[names.size()][];
            for (int i = 0; i < names.size(); i++) {
                Checkpoint.Array p = c.array("model." + names.get(i));
                values.add(p.values());
                m[i] = Mat.columnMajor(c.array("adam.m." + names.get(i)), p);
                v[i] = Mat.columnMajor(c.array("adam.v." + names.get(i)), p);
            }
            model = StageModel.restore(inputs, o.hidden, classes.size(), values);
            adam = new Adam(o.learningRate, c.optimizerSteps(), m, v);
            stats = new Standardizer(inputs, c.statsRows(), c.array("stats.mean").values(), c.array("stats.m2").values());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(checkpointFile + ": does not fit the model: " + e.getMessage(), e);
        }
    }


    private void writeCheckpoint() {
        List<Checkpoint.Array> arrays = new ArrayList<>();
        if (model != null) {
            List<String> names = StageModel.parameterNames(o.hidden);
            int[][] shapes = StageModel.shapes(model.inputs(), o.hidden, classes.size());
            double[][] m = adam.firstMoments();
            double[][] v = adam.secondMoments();
            for (int i = 0; i < names.size(); i++) {
                int rows = shapes[i][0];
                int cols = shapes[i][1];
                arrays.add(new Checkpoint.Array("model." + names.get(i), rows, cols, model.rowMajor(i)));
                arrays.add(new Checkpoint.Array("adam.m." + names.get(i), rows, cols, Mat.rowMajor(m[i], rows, cols)));
                arrays.add(new Checkpoint.Array("adam.v." + names.get(i), rows, cols, Mat.rowMajor(v[i], rows, cols)));
            }
            arrays.add(new Checkpoint.Array("stats.mean", 1, stats.features(), stats.mean()));
            arrays.add(new Checkpoint.Array("stats.m2", 1, stats.features(), stats.m2()));
        }
        new Checkpoint(step, state, settings, lossEma, accuracyEma, stats == null ? 0 : stats.count(),
                adam == null ? 0 : adam.steps(), arrays).write(checkpointFile);
        lastCheckpoint = checkpointFile;
    }

}
