package dev.batcher.deploy;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchState;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Taken;
import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.SharedMemoryProbe;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training client in a process of its own (on another "host": a network namespace, a Slurm step)
 * that checks every batch it takes from a daemon against a {@link LocalBatcher} in this process, bit
 * for bit. It prints one line per batch, {@code TAKE index state startEpochMillis millis shm(0|1)},
 * then {@code DONE n batches, m in shared memory, identical to LocalBatcher} and exits 0; at the first
 * difference it prints {@code MISMATCH ...} and exits 1; any other failure exits 2.
 *
 * <p>Options: {@code --manager HOST:PORT} (default: {@code $BATCHER_MANAGER}), {@code --token-file F}
 * (default: {@code $BATCHER_TOKEN}), {@code --dataset DIR}, {@code --seed N}, {@code --batches N} (at
 * most; default 1000000), {@code --stop-file F} (stop before the next batch once it exists),
 * {@code --name NAME} (the batcher's name, default {@code check}).
 */
public final class CheckingClientMain {
    /** The source every deployment test uses: 4 windows of 30 s, four channels filled in if absent. */
    static final SourceConfig SOURCE = new SourceConfig.Random(4, 30, null, "fill:C3,C4,F3,F4", null, null);

    private CheckingClientMain() {}

    public static void main(String[] args) {
        try {
            System.exit(run(options(args)));
        } catch (RuntimeException | IOException e) {
            e.printStackTrace();
            System.out.flush();
            System.exit(2);
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("--manager", System.getenv("BATCHER_MANAGER"));
        o.put("--batches", "1000000");
        o.put("--name", "check");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("argument " + i + ": " + args[i] + " (expected: --option value)");
            }
            o.put(args[i], args[++i]);
        }
        for (String required : List.of("--manager", "--dataset", "--seed")) {
            if (o.get(required) == null) {
                throw new IllegalArgumentException(required + ": absent (expected: a value"
                        + (required.equals("--manager") ? ", or BATCHER_MANAGER in the environment)" : ")"));
            }
        }
        return o;
    }

    private static int run(Map<String, String> o) throws IOException {
        String manager = o.get("--manager");
        int colon = manager.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(manager.substring(0, colon), Integer.parseInt(manager.substring(colon + 1)));
        String token = o.containsKey("--token-file") ? Files.readString(Path.of(o.get("--token-file"))).strip()
                : System.getenv("BATCHER_TOKEN");
        Path dataset = Path.of(o.get("--dataset"));
        Path stop = o.containsKey("--stop-file") ? Path.of(o.get("--stop-file")) : null;
        int max = Integer.parseInt(o.get("--batches"));
        Dataset ds = Dataset.load(dataset);
        int n = 0;
        int shared = 0;
        try (BatcherClient client = BatcherClient.connect(address, ClientOptions.defaults().withToken(token));
                RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                LocalBatcher local = new LocalBatcher(BatchSources.build(SOURCE, ds.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
            BatcherHandle h = client.batcher(o.get("--name"));
            h.create(BatcherSpec.of(dataset.toString(), SOURCE));
            BatchState s = BatchState.initial(Long.parseLong(o.get("--seed")));
            h.start(s);
            while (n < max && (stop == null || !Files.exists(stop))) {
                long wall = System.currentTimeMillis();
                long t0 = System.nanoTime();
                Taken.Next got = (Taken.Next) h.take(s);
                long millis = (System.nanoTime() - t0) / 1_000_000;
                Taken.Next expected = (Taken.Next) local.take(s);
                try (Batch g = got.batch(); Batch e = expected.batch()) {
                    boolean inShm = SharedMemoryProbe.inSharedMemory(g);
                    String difference = difference(e, g);
                    if (difference == null && !expected.state().equals(got.state())) {
                        difference = "next state " + got.state() + " (expected: " + expected.state() + ")";
                    }
                    if (difference != null) {
                        System.out.println("MISMATCH batch " + n + " at " + s + ": " + difference);
                        return 1;
                    }
                    shared += inShm ? 1 : 0;
                    System.out.println("TAKE " + n + " " + s + " " + wall + " " + millis + " " + (inShm ? 1 : 0));
                }
                s = got.state();
                n++;
            }
            h.stop();
        }
        System.out.println("DONE " + n + " batches, " + shared + " in shared memory, identical to LocalBatcher");
        return 0;
    }

    /** Returns null if the batches are bit-identical, else where they first differ. */
    static String difference(Batch expected, Batch got) {
        if (!Arrays.equals(expected.xShape(), got.xShape())) {
            return "x shape " + Arrays.toString(got.xShape()) + " (expected: " + Arrays.toString(expected.xShape()) + ")";
        }
        FloatBuffer ex = expected.x();
        FloatBuffer gx = got.x();
        if (ex.remaining() != gx.remaining()) {
            return "x elements " + gx.remaining() + " (expected: " + ex.remaining() + ")";
        }
        for (int i = 0; i < ex.remaining(); i++) {
            int a = Float.floatToRawIntBits(ex.get(ex.position() + i));
            int b = Float.floatToRawIntBits(gx.get(gx.position() + i));
            if (a != b) {
                return "x element " + i + ": " + Float.intBitsToFloat(b) + " (expected: " + Float.intBitsToFloat(a) + ")";
            }
        }
        if (!Arrays.equals(expected.yShape(), got.yShape())) {
            return "y shape " + Arrays.toString(got.yShape()) + " (expected: " + Arrays.toString(expected.yShape()) + ")";
        }
        IntBuffer ey = expected.y();
        IntBuffer gy = got.y();
        if (ey.remaining() != gy.remaining()) {
            return "y elements " + gy.remaining() + " (expected: " + ey.remaining() + ")";
        }
        for (int i = 0; i < ey.remaining(); i++) {
            if (ey.get(ey.position() + i) != gy.get(gy.position() + i)) {
                return "y element " + i + ": " + gy.get(gy.position() + i) + " (expected: " + ey.get(ey.position() + i) + ")";
            }
        }
        return null;
    }
}
