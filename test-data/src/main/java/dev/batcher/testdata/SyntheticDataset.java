package dev.batcher.testdata;

import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes synthetic polysomnography datasets: a directory of HDF5 files, one per recording, each with
 * an int16 EEG signal {@code /signals/eeg} and dense sleep-stage labels {@code /labels/stage} at one
 * per 30 s epoch. See the {@linkplain dev.batcher.testdata package documentation} for the format and
 * for what the signal contains.
 *
 * <p>The output depends only on the options other than {@code threads} and {@code executor}: the
 * same seed gives byte-identical files however many threads write them. The generator writes only
 * {@code .h5} files (through a temporary {@code .h5.tmp} name each, renamed when complete); it does
 * not write the dataset's {@code labeled_signals.csv} table, which the indexer derives from the files.
 */
public final class SyntheticDataset {
    /** The signal dataset's path in every file. */
    public static final String SIGNAL_DATASET = "/signals/eeg";
    /** The label dataset's path in every file. */
    public static final String LABEL_DATASET = "/labels/stage";
    /** The physical unit of decoded signal values. */
    public static final String UNIT = "microvolt";
    /** Label samples per second: one per 30 s epoch. */
    public static final double LABEL_SAMPLE_RATE = 1 / 30.0;
    /** The name of the single label channel. */
    public static final String LABEL_CHANNEL = "stage";
    /** The label encoding: label value {@code i} means {@code STAGES.get(i)}. */
    public static final List<String> STAGES = Stage.ENCODING;

    static final String SIGNAL_NAME = "eeg";
    static final String LABEL_NAME = "stage";
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final AtomicInteger POOLS = new AtomicInteger();

    private SyntheticDataset() {
    }

    /**
     * Generates a dataset into {@code dir}, creating the directory if needed. Recordings are
     * generated {@code options.threads()} at a time, each held in memory until its file is written.
     * If generation fails or is interrupted, the files it wrote are deleted again.
     *
     * @param dir the dataset directory; must be missing or empty
     * @param options what to generate
     * @return the files written, their attributes, and the throughput
     * @throws NullPointerException if {@code dir} or {@code options} is null
     * @throws GenerationException if {@code dir} is not empty or cannot be created, a file cannot be
     *     written, the executor rejects a task, a generation task fails, or the calling thread is
     *     interrupted (its interrupt status is then set again)
     */
    public static GenerationReport generate(Path dir, GeneratorOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        prepare(dir);

        int count = options.recordings();
        GeneratedRecording[] written = new GeneratedRecording[count];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int workers = Math.min(options.threads(), count);
        ExecutorService own = options.executor().isPresent() ? null : Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "batcher-testdata-" + POOLS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Executor executor = own != null ? own : options.executor().get();

        List<CompletableFuture<Void>> tasks = new ArrayList<>(workers);
        GenerationException failure = null;
        try {
            for (int w = 0; w < workers; w++) {
                tasks.add(CompletableFuture.runAsync(() -> work(dir, options, next, stop, written), executor));
            }
        } catch (RejectedExecutionException e) {
            stop.set(true);
            failure = new GenerationException("executor: " + executor + " rejected a generation task", e);
        }
        try {
            failure = await(tasks, stop, failure);
        } finally {
            if (own != null) {
                own.shutdown();
            }
        }
        if (failure != null) {
            for (int i = 0; i < written.length; i++) {
                GeneratedRecording recording = written[i];
                if (recording != null) {
                    try {
                        Files.deleteIfExists(recording.file());
                        if (options.format() != FileFormat.HDF5) {
                            Files.deleteIfExists(dir.resolve(EdfRecordingWriter.hypnogramName(i)));
                        }
                    } catch (IOException e) {
                        failure.addSuppressed(e);
                    }
                }
            }
            throw failure;
        }

        long totalBytes = 0;
        long sampleBytes = 0;
        for (GeneratedRecording recording : written) {
            totalBytes += recording.bytes();
            sampleBytes += 2L * recording.signal().channels().size() * recording.signal().samples();
        }
        return new GenerationReport(dir, Arrays.asList(written), totalBytes, sampleBytes,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Waits for every task. The first failure stops the others (between epochs); an interrupt stops
     * them all. Either way every task has finished when this returns.
     *
     * @return the failure to report, or null
     */
    private static GenerationException await(
            List<CompletableFuture<Void>> tasks, AtomicBoolean stop, GenerationException failure) {
        boolean interrupted = false;
        for (CompletableFuture<Void> task : tasks) {
            while (true) {
                try {
                    task.get();
                    break;
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        interrupted = true;
                        stop.set(true);
                        if (failure == null) {
                            failure = new GenerationException("interrupted while generating", e);
                        }
                    }
                    // Keep waiting: the tasks stop at their next epoch and must not outlive this call.
                } catch (ExecutionException e) {
                    stop.set(true);
                    Throwable cause = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                            ? e.getCause().getCause() : e.getCause();
                    GenerationException f = cause instanceof GenerationException g
                            ? g : new GenerationException("generation task failed: " + cause, cause);
                    if (failure == null) {
                        failure = f;
                    } else if (failure != f) {
                        failure.addSuppressed(f);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    /** Creates {@code dir} if it is missing and checks it is empty. */
    private static void prepare(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GenerationException("dir: " + dir + " (expected: a directory that can be created)", e);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                throw new GenerationException("dir: " + dir + " (expected: missing or empty; it holds "
                        + entry.getFileName() + ")");
            }
        } catch (IOException e) {
            throw new GenerationException("dir: " + dir + " (expected: a readable directory)", e);
        }
    }

    /** One worker: takes recordings by index until none are left or {@code stop} is set. */
    private static void work(Path dir, GeneratorOptions options, AtomicInteger next, AtomicBoolean stop,
            GeneratedRecording[] written) {
        try {
            int index;
            while (!stop.get() && (index = next.getAndIncrement()) < options.recordings()) {
                GeneratedRecording recording = recording(dir, options, index, stop);
                if (recording == null) {
                    return;
                }
                written[index] = recording;
            }
        } catch (RuntimeException | Error e) {
            stop.set(true);
            throw e;
        }
    }

    /** Synthesises and writes recording {@code index}; returns null if stopped first. */
    private static GeneratedRecording recording(Path dir, GeneratorOptions options, int index, AtomicBoolean stop) {
        RecordingPlan plan = RecordingPlan.of(options, index);
        short[][] samples = new SignalSynthesizer(plan, options.seed()).synthesize(stop::get);
        if (samples == null) {
            return null;
        }
        FileFormat format = options.format();
        List<Path> written = new ArrayList<>();
        Path file = dir.resolve(format == FileFormat.HDF5 ? plan.fileName() : EdfRecordingWriter.psgName(index, format));
        long bytes;
        try {
            if (format == FileFormat.HDF5) {
                Path temporary = written(written, dir.resolve(plan.fileName() + TEMPORARY_SUFFIX));
                RecordingWriter.write(temporary, plan, samples, options);
                Files.move(temporary, written(written, file), StandardCopyOption.ATOMIC_MOVE);
            } else {
                Path psg = written(written, dir.resolve(file.getFileName() + TEMPORARY_SUFFIX));
                EdfRecordingWriter.writePsg(psg, plan, samples, format == FileFormat.BDF);
                Path hypnogram = dir.resolve(EdfRecordingWriter.hypnogramName(index));
                Path hypnogramTemporary = written(written, dir.resolve(hypnogram.getFileName() + TEMPORARY_SUFFIX));
                EdfRecordingWriter.writeHypnogram(hypnogramTemporary, plan);
                Files.move(hypnogramTemporary, written(written, hypnogram), StandardCopyOption.ATOMIC_MOVE);
                Files.move(psg, written(written, file), StandardCopyOption.ATOMIC_MOVE);
            }
            bytes = Files.size(file);
        } catch (IOException | HdfException e) {
            GenerationException failure = new GenerationException("file: " + file + " (could not write it: "
                    + e.getMessage() + ")", e);
            for (Path p : written) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException suppressed) {
                    failure.addSuppressed(suppressed);
                }
            }
            throw failure;
        }
        if (format != FileFormat.HDF5) {
            LabelInfo labels = labelInfo(plan);
            return new GeneratedRecording(EdfRecordingWriter.stem(index) + "E0-PSG", file, bytes, edfSignalInfo(plan),
                    new LabelInfo(labels.dataset(), labels.channels(), labels.sampleRate(),
                            plan.labelOffsetEpochs() * 30_000_000_000L, labels.samples(), labels.encoding()));
        }
        return new GeneratedRecording(plan.name(), file, bytes, signalInfo(plan), labelInfo(plan));
    }

    /** Records a path this task may leave behind, to delete on failure. */
    private static Path written(List<Path> written, Path p) {
        written.add(p);
        return p;
    }

    /** The EEG group of an EDF/BDF PSG file as the reader sees it (header values, not the plan's exact scaling). */
    static SignalInfo edfSignalInfo(RecordingPlan plan) {
        List<String> names = new ArrayList<>();
        plan.channels().forEach(c -> names.add(EdfRecordingWriter.label(c)));
        double rate = plan.epochSamples() / 30.0;
        return new SignalInfo("/" + new java.math.BigDecimal(Double.toString(rate)).stripTrailingZeros().toPlainString() + "Hz",
                SampleType.INT16, names, rate, plan.resolution(), plan.offset(), "uV", 0,
                (long) (plan.samples() / plan.epochSamples()) * plan.epochSamples());
    }

    static SignalInfo signalInfo(RecordingPlan plan) {
        return new SignalInfo(SIGNAL_DATASET, SampleType.INT16, plan.channels(), plan.sampleRate(),
                plan.resolution(), plan.offset(), UNIT, plan.signalStartNanos(), plan.samples());
    }

    static LabelInfo labelInfo(RecordingPlan plan) {
        return new LabelInfo(LABEL_DATASET, List.of(LABEL_CHANNEL), LABEL_SAMPLE_RATE, plan.labelStartNanos(),
                plan.labels().length, STAGES);
    }
}
