package dev.batcher.bench;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * The Java client's take loop, as {@code client/python/bench/peer.py --compare clients} runs it beside the
 * Python client's against the same daemon: {@code BatcherClient} with prefetch takes random batches of
 * 32 x all channels x 30 s, reads the first and last value of x (as the Python loop does) and closes
 * each batch. One JVM first runs such loops for {@code WARMUP_SECONDS} (default 0) without printing them
 * (the JIT of a fresh JVM: a loop of a few hundred batches lasts under a second at these rates), then runs
 * {@code ROUNDS} loops on fresh batchers and prints one line per loop,
 * {@code java <batches/s> <CPU ms of this process per batch>}.
 *
 * <p>With {@code ROUNDS} {@code stdin} the JVM stays up: after the warm-up it prints {@code ready}, then
 * runs one loop per line read from standard input until it closes. {@code peer.py} keeps one such JVM
 * per path across its alternating rounds, as its own Python client lives across them; a fresh JVM per
 * round measured its JIT again each time (JFR: a burst of C2 compilations and deoptimisations at each new
 * batcher).
 *
 * <pre>java -cp ... dev.batcher.bench.ClientTakeLoop HOST:PORT DATASET BATCHES ROUNDS|stdin shm|tcp [WARMUP_SECONDS]</pre>
 */
public final class ClientTakeLoop {
    private static final int WARMUP = 10;

    private ClientTakeLoop() {}

    /** CPU time of this whole process (every thread: the caller, netty's event loop, the JIT, the GC). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Runs the loops.
     *
     * @param args {@code HOST:PORT DATASET BATCHES ROUNDS|stdin shm|tcp [WARMUP_SECONDS]}
     * @throws IllegalArgumentException if an argument is malformed
     * @throws java.io.UncheckedIOException if standard input cannot be read
     */
    public static void main(String[] args) {
        if (args.length < 5 || args.length > 6 || !args[0].contains(":") || !(args[4].equals("shm") || args[4].equals("tcp"))) {
            throw new IllegalArgumentException("arguments: " + String.join(" ", args)
                    + " (expected: HOST:PORT DATASET BATCHES ROUNDS|stdin shm|tcp [WARMUP_SECONDS])");
        }
        double warmUpSeconds = args.length == 6 ? Double.parseDouble(args[5]) : 0;
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
        int batches = Integer.parseInt(args[2]);
        boolean fromStdin = args[3].equals("stdin");
        int rounds = fromStdin ? Integer.MAX_VALUE : Integer.parseInt(args[3]);
        ClientOptions options = ClientOptions.defaults().withPrefetch(true).withSharedMemory(args[4].equals("shm"));
        try (BatcherClient client = BatcherClient.connect(address, options)) {
            if (warmUpSeconds > 0) {
                // The same loops as measured ones, each on a fresh batcher: a warm-up of takes alone left the JIT's
                // type profiles without create, start and stop, and every measured round then deoptimised and
                // recompiled the take path (JFR: C2 the JVM's largest CPU user during the rounds).
                long t0 = System.nanoTime();
                long end = t0 + (long) (warmUpSeconds * 1e9);
                int n = 0;
                while (System.nanoTime() < end) {
                    loop(client, args[1], batches, "java-warm-", n++);
                }
                System.out.printf(Locale.ROOT, "# warm-up: %d loops of %d batches in %.1f s%n", n, batches,
                        (System.nanoTime() - t0) / 1e9);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (fromStdin) {
                System.out.println("ready");
                System.out.flush();
            }
            for (int r = 0; r < rounds; r++) {
                if (fromStdin && readLine(in) == null) {
                    break;
                }
                System.out.println(loop(client, args[1], batches, "java-take-", r));
                System.out.flush();
            }
        }
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("standard input", e);
        }
    }

    /** One measured loop on a fresh batcher; returns {@code java <batches/s> <CPU ms per batch>}. */
    private static String loop(BatcherClient client, String dataset, int batches, String name, int r) {
        BatcherHandle h = client.batcher(name + ProcessHandle.current().pid() + "-" + r);
        h.create(BatcherSpec.of(dataset, new SourceConfig.Random(32, 30, null, "all", null, null)));
        BatchState state = BatchState.initial(1);
        h.start(state);
        long start = 0;
        long cpu0 = 0;
        double sink = 0;
        for (int i = 0; i < WARMUP + batches; i++) {
            if (i == WARMUP) {
                start = System.nanoTime();
                cpu0 = cpuNanos();
            }
            Taken.Next next = (Taken.Next) h.take(state);
            try (Batch b = next.batch()) {
                FloatBuffer x = b.x();
                sink += x.get(0) + x.get(x.limit() - 1);
            }
            state = next.state();
        }
        double rate = batches / ((System.nanoTime() - start) / 1e9);
        double cpuMs = (cpuNanos() - cpu0) / 1e6 / batches;
        h.stop();
        return String.format(Locale.ROOT, "java %.1f %.3f%s", rate, cpuMs, Double.isNaN(sink) ? " (NaN in x)" : "");
    }
}
