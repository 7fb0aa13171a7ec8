package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchShapes;
import dev.batcher.materializers.features.Featurizer;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectors;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Resampler;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Turns batch specs into tensors: for each item it reads only the window it needs, decodes int16 to
 * float32, selects or derives channels, resamples, normalises and featurises, then stacks the items.
 * The output depends only on the spec, the options and the files, never on the kernel path, the
 * thread or the machine. Thread-safe: many materialisations may run at once and share the open
 * files of one {@link RecordingFiles}.
 */
public final class Materializer {
    private final RecordingFiles files;
    private final MaterializeOptions options;
    private final Kernels kernels;
    private final Featurizer featurizer;
    private final ConcurrentMap<Double, Resampler> resamplers = new ConcurrentHashMap<>();
    /** Where up to {@code readHelpers} threads help read a batch's local items, or null. */
    private final Executor readExecutor;
    private final int readHelpers;

    /**
     * Creates a materializer.
     *
     * @param files the open-file cache the windows are read through
     * @param options resampling, normalisation and featurisation
     * @param kernels the numeric kernels (vector or scalar: the output is the same)
     * @throws MaterializerException if the options name a featuriser that no {@link Featurizer} on the
     *     classpath provides; the message lists those found
     */
    public Materializer(RecordingFiles files, MaterializeOptions options, Kernels kernels) {
        this(files, options, kernels, null, 0);
    }

    /**
     * Creates a materializer whose batches of local files are read by the calling thread together with
     * up to {@code readHelpers} tasks on {@code readExecutor} (the daemon's free materialising threads):
     * each item (its window's chunks decoded, then processed) is claimed by exactly one thread, and the
     * calling thread writes the items in order, so the output is the same as one thread's. A helper that
     * starts after every item is claimed returns at once; a refused helper is simply not there. Pass an
     * executor with no more threads than the cores left idle by the other materialisations.
     *
     * @param readExecutor the helpers' executor, or null to read on the calling thread alone
     * @param readHelpers how many helper tasks a batch starts ({@code >= 0}; 0 for none)
     * @throws IllegalArgumentException if {@code readHelpers < 0}
     * @throws MaterializerException as the three-argument constructor does
     */
    public Materializer(RecordingFiles files, MaterializeOptions options, Kernels kernels, Executor readExecutor,
                        int readHelpers) {
        if (readHelpers < 0) {
            throw new IllegalArgumentException("readHelpers: " + readHelpers + " (expected: >= 0)");
        }
        this.readExecutor = readHelpers == 0 ? null : readExecutor;
        this.readHelpers = readExecutor == null ? 0 : readHelpers;
        this.files = Objects.requireNonNull(files, "files");
        this.options = Objects.requireNonNull(options, "options");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.featurizer = options.featurizer() == null ? null : findFeaturizer(options.featurizer());
    }

    /** Returns the options. */
    public MaterializeOptions options() {
        return options;
    }

    static Featurizer findFeaturizer(String name) {
        List<String> found = new ArrayList<>();
        for (Featurizer f : ServiceLoader.load(Featurizer.class, Featurizer.class.getClassLoader())) {
            if (f.name().equals(name)) {
                return f;
            }
            found.add(f.name());
        }
        throw new MaterializerException("featurizer: '" + name + "' (expected: one of " + found
                + ", the featurizers registered in META-INF/services/" + Featurizer.class.getName() + ")");
    }

    /**
     * Materialises a batch into Java arrays.
     *
     * @param spec the batch
     * @return the batch's tensors; the caller owns and must close it
     * @throws ItemException if an item cannot be read or decoded, or items differ in shape; the
     *     message names the item's recording, file, dataset and window, and the cause is attached
     */
    public Batch materialize(BatchSpec spec) {
        ArraySink sink = new ArraySink();
        BatchShapes layout = run(spec, sink);
        return new ArrayBatch(layout.xShape(), sink.x, layout.yShape(), sink.y);
    }

    /**
     * Materialises a batch into a buffer the caller gives: x as little-endian float32, row-major, from
     * the buffer's position, then y as little-endian int32 right after x (at {@link
     * BatchShapes#yOffset()}). This is the batch's wire form, so the buffer can be a shared-memory
     * slot or an outgoing frame; nothing batch-sized is allocated on the way (each item passes through
     * item-sized arrays of the kernels; for object storage, whose items are read at the same time, the
     * processed items wait together until they are written in item order). The bytes are the same as {@link #materialize}'s arrays,
     * whatever the kernel path.
     *
     * @param spec the batch
     * @param target asked once, after the first item fixes the shapes, for the buffer to fill; it
     *     returns a buffer with at least {@link BatchShapes#bytes()} bytes remaining (its byte order
     *     does not matter), or throws
     * @return the batch's layout
     * @throws ItemException as {@link #materialize} does
     * @throws IllegalArgumentException if the target's buffer has fewer bytes remaining than the batch
     *     needs (or whatever the target throws)
     */
    public BatchShapes materializeInto(BatchSpec spec, Target target) {
        Objects.requireNonNull(target, "target");
        return run(spec, new BufferSink(target));
    }

    /**
     * Returns the layout a batch would have, from its first item alone (one item is read and
     * processed; items of one batch share their shapes). A daemon sizes shared-memory slots with it.
     *
     * @param spec the batch
     * @return its shapes and byte counts
     * @throws ItemException if the first item cannot be materialised
     */
    public BatchShapes layout(BatchSpec spec) {
        ItemSpec item = spec.items().get(0);
        try {
            Item out = signal(item, false);
            int[][] labels = files.readLabels(item.file(), item.labels(), item.labelStart(), item.labelCount());
            int n = spec.items().size();
            return new BatchShapes(prepend(n, out.shape), new int[] {n, labels.length, item.labelCount()});
        } catch (ItemException e) {
            throw e;
        } catch (MaterializerException | IllegalArgumentException e) {
            throw new ItemException(0, item, e.getMessage(), e);
        }
    }

    /**
     * Where {@link #materializeInto} writes a batch.
     */
    @FunctionalInterface
    public interface Target {
        /**
         * Returns the buffer to write a batch of this layout into.
         *
         * @param layout the batch's shapes and byte counts
         * @return a buffer with at least {@code layout.bytes()} bytes remaining from its position
         */
        ByteBuffer open(BatchShapes layout);
    }

    /** Receives a batch item by item; {@link #start} comes once, before the first item. */
    private interface Sink {
        void start(BatchShapes layout);

        void x(int item, float[] values);

        void y(int item, int[] values);
    }

    private static final class ArraySink implements Sink {
        float[] x;
        int[] y;

        @Override
        public void start(BatchShapes layout) {
            x = new float[Math.toIntExact(layout.xElements())];
            y = new int[Math.toIntExact(layout.yElements())];
        }

        @Override
        public void x(int item, float[] values) {
            System.arraycopy(values, 0, x, item * values.length, values.length);
        }

        @Override
        public void y(int item, int[] values) {
            System.arraycopy(values, 0, y, item * values.length, values.length);
        }
    }

    private static final class BufferSink implements Sink {
        private final Target target;
        private FloatBuffer x;
        private IntBuffer y;

        BufferSink(Target target) {
            this.target = target;
        }

        @Override
        public void start(BatchShapes layout) {
            ByteBuffer b = target.open(layout);
            if (b == null || b.remaining() < layout.bytes()) {
                throw new IllegalArgumentException("target: " + (b == null ? "null" : b.remaining() + " bytes")
                        + " (expected: a buffer of at least " + layout.bytes() + " bytes for x " + Arrays.toString(layout.xShape())
                        + " and y " + Arrays.toString(layout.yShape()) + ")");
            }
            ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int p = le.position();
            // Views in little-endian order: on little-endian hosts their bulk puts are plain memory copies.
            x = le.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(p).limit(Math.toIntExact(p + layout.xBytes()))
                    .slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            y = le.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(Math.toIntExact(p + layout.yOffset()))
                    .limit(Math.toIntExact(p + layout.bytes())).slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        }

        @Override
        public void x(int item, float[] values) {
            x.put(item * values.length, values, 0, values.length);
        }

        @Override
        public void y(int item, int[] values) {
            y.put(item * values.length, values, 0, values.length);
        }
    }

    private BatchShapes run(BatchSpec spec, Sink sink) {
        List<ItemSpec> items = spec.items();
        List<Future<Read>> fetched = fetchAll(items);
        try {
            return assemble(items, fetched, sink);
        } finally {
            if (fetched != null) {
                for (Future<Read> f : fetched) {
                    f.cancel(true); // a no-op for those done; stops the rest after a failure
                }
            }
        }
    }

    /** One item's window read and processed, and its labels. */
    private record Read(Item signal, int[][] labels) {}

    /**
     * Reads and processes item {@code i}. With {@code consumedAtOnce} its x may live in this thread's
     * scratch, valid until the thread's next read: only for a caller that writes it out before then.
     */
    private Read read(int i, ItemSpec item, boolean consumedAtOnce) {
        try {
            return new Read(signal(item, consumedAtOnce), files.readLabels(item.file(), item.labels(), item.labelStart(), item.labelCount()));
        } catch (ItemException e) {
            throw e;
        } catch (MaterializerException | IllegalArgumentException e) {
            throw new ItemException(i, item, e.getMessage(), e);
        }
    }

    /**
     * Starts reading every item on the files' fetch executor when the files are remote (each read is
     * a network round trip, so the items of a batch wait for the network together, at most the
     * executor's bound at once); returns null for local files, which are read one after another.
     */
    private List<Future<Read>> fetchAll(List<ItemSpec> items) {
        Executor executor = files.fetchExecutor();
        if (executor == null && readExecutor != null && items.size() >= 2) {
            return ItemClaims.start(items.size(), i -> read(i, items.get(i), Scratch.get().sinking == i), readExecutor, readHelpers);
        }
        if (executor == null || items.size() < 2) {
            return null;
        }
        List<Future<Read>> futures = new ArrayList<>(items.size());
        try {
            for (int i = 0; i < items.size(); i++) {
                int index = i;
                FutureTask<Read> task = new FutureTask<>(() -> read(index, items.get(index), Scratch.get().sinking == index));
                futures.add(task);
                executor.execute(task);
            }
        } catch (RuntimeException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        return futures;
    }

    /**
     * Waits for item {@code i}'s read; its failure is thrown as the sequential read would have thrown it.
     * An interrupt while waiting fails the batch with the interrupt flag set (the caller cancels the reads).
     */
    private static Read await(List<Future<Read>> fetched, int i, ItemSpec item) {
        if (fetched.get(i) instanceof FutureTask<Read> task) {
            Scratch scratch = Scratch.get();
            scratch.sinking = i;
            try {
                task.run(); // an item no helper has claimed yet is read here (a no-op if claimed or done)
            } finally {
                scratch.sinking = -1;
            }
        }
        try {
            return fetched.get(i).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ItemException(i, item, "interrupted while waiting for the item's read", e);
        } catch (CancellationException e) {
            throw new ItemException(i, item, "read cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ItemException(i, item, String.valueOf(cause), cause);
        }
    }

    private BatchShapes assemble(List<ItemSpec> items, List<Future<Read>> fetched, Sink sink) {
        int[] itemShape = null;
        int[] labelShape = null;
        BatchShapes layout = null;
        int[] itemLabels = null;
        for (int i = 0; i < items.size(); i++) {
            ItemSpec item = items.get(i);
            Read read = fetched == null ? read(i, item, true) : await(fetched, i, item);
            Item out = read.signal;
            int[][] labels = read.labels;
            int[] lShape = {labels.length, item.labelCount()};
            if (itemShape == null) {
                itemShape = out.shape;
                labelShape = lShape;
                layout = new BatchShapes(prepend(items.size(), itemShape), prepend(items.size(), labelShape));
                itemLabels = new int[labels.length * item.labelCount()];
                sink.start(layout);
            } else if (!Arrays.equals(itemShape, out.shape) || !Arrays.equals(labelShape, lShape)) {
                throw new ItemException(i, item, "items of different shapes: x " + Arrays.toString(out.shape)
                        + " and y " + Arrays.toString(lShape) + " (expected: x " + Arrays.toString(itemShape) + " and y "
                        + Arrays.toString(labelShape) + ", the shapes of item 0, " + items.get(0).describe() + ")", null);
            }
            sink.x(i, out.values);
            for (int c = 0; c < labels.length; c++) {
                int base = c * item.labelCount();
                System.arraycopy(labels[c], 0, itemLabels, base, item.labelCount());
                Arrays.fill(itemLabels, base, base + item.labelSkip(), -1);
            }
            sink.y(i, itemLabels);
        }
        return layout;
    }

    private static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** One item's x and its shape. */
    private record Item(int[] shape, float[] values) {}

    private Item signal(ItemSpec item, boolean consumedAtOnce) {
        SignalInfo info = files.signalInfo(item.file(), item.signal());
        ChannelPlan plan = ChannelSelectors.plan(item.channels(), info.channels());
        int n = item.sampleCount();
        double rate = info.sampleRate();
        Resampler resampler = options.targetRateHz() == null || options.targetRateHz() == rate ? null
                : resamplers.computeIfAbsent(rate, r -> Resampler.of(r, options.targetRateHz()));
        // A resampled window reads a margin on each side (as far as the recording allows) so that its
        // outputs see real samples, not the filter's zero padding; the margin before is a whole number
        // of decimation steps so output samples stay on the window's grid.
        int before = 0;
        int after = 0;
        if (resampler != null && item.sampleStart() + n <= info.samples()) {
            int m = resampler.downFactor();
            int pad = (resampler.halfWidth() + m - 1) / m * m;
            before = (int) Math.min(pad, item.sampleStart() / m * m);
            after = (int) Math.min(pad, info.samples() - item.sampleStart() - n);
        }
        int read = before + n + after;
        int[] inputs = plan.inputs();
        float[][] decoded = Scratch.get().rows(inputs.length, read);
        if (inputs.length > 0) {
            int first = inputs[0];
            int last = inputs[inputs.length - 1];
            RawWindow raw = files.readSignal(item.file(), item.signal(), first, last - first + 1, item.sampleStart() - before, read,
                    Scratch.get().raw);
            float scale = (float) info.resolution();
            float offset = (float) info.offset();
            for (int k = 0; k < inputs.length; k++) {
                float[] row = decoded[k];
                int r = inputs[k] - first;
                if (raw.type() == SampleType.INT16) {
                    kernels.decode(raw.shorts()[r], 0, row, 0, read, scale, offset);
                } else {
                    kernels.decode(raw.floats()[r], 0, row, 0, read, scale, offset);
                }
            }
        }
        int channels = plan.outputChannels();
        // Written out at once, the selected channels of a window that is neither resampled nor featurised go
        // through this thread's scratch: no batch-sized stream of fresh, zeroed arrays.
        float[] selected = consumedAtOnce && resampler == null && featurizer == null
                ? Scratch.get().output(channels * read) : new float[channels * read];
        plan.apply(kernels, decoded, selected, 0, read);
        if (resampler != null) {
            int total = resampler.outputLength(read);
            int skip = Math.toIntExact((long) before * resampler.upFactor() / resampler.downFactor());
            int m = resampler.outputLength(n);
            float[] full = new float[total];
            float[] resampled = new float[channels * m];
            for (int c = 0; c < channels; c++) {
                resampler.apply(kernels, selected, c * read, read, full, 0);
                System.arraycopy(full, skip, resampled, c * m, m);
            }
            selected = resampled;
            n = m;
            rate = options.targetRateHz();
        }
        if (options.normalize()) {
            for (int c = 0; c < channels; c++) {
                kernels.normalize(selected, c * n, n);
            }
        }
        if (featurizer == null) {
            return new Item(new int[] {channels, n}, selected);
        }
        Featurizer.Plan fp = featurizer.plan(channels, n, rate, options.featurizerArguments());
        int[] shape = fp.shape();
        float[] features = new float[Math.toIntExact(ArrayBatch.elements(shape))];
        fp.apply(selected, features, 0);
        return new Item(shape, features);
    }
}
