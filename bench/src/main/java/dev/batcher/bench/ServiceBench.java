package dev.batcher.bench;

import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.Batcher;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.SyntheticDataset;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * End-to-end figures of the batcher service, each as a ratio against a baseline measured in the same
 * run: throughput at the client with 0, 1 and 2 local worker processes, over shared memory and over
 * TCP, against the same-process LocalBatcher; the daemon's RSS before and after; the latency of
 * {@code take} for a buffered batch against one materialisation; {@code take} of buffered batches
 * over TCP against raw netty loopback of the same bytes; restart latency against one
 * materialisation. The daemons are {@code batcher serve} processes.
 * Run it with {@code bin/batcher bench service}.
 */
public final class ServiceBench {
    private static final List<String> CHANNELS = List.of("C3", "C4", "F3", "F4", "O1", "O2", "M1", "M2");

    private ServiceBench() {}

    /**
     * Runs the benchmark.
     *
     * @param dataset a dataset directory to read, or null to generate one under {@code scratch}
     * @param scratch where to generate a dataset when {@code dataset} is null
     * @param seconds how long to measure each figure
     * @param batchSize items per batch (32 for the reference 32 × 8 × 7680 batch)
     * @param quick generate minutes of data instead of hours (for tests of the harness)
     * @param out receives each line as it is measured
     * @return one line per figure
     * @throws Exception if the daemon, a worker or the dataset fails
     */
    public static List<String> run(Path dataset, Path scratch, double seconds, int batchSize, boolean quick,
            java.util.function.Consumer<String> out)
            throws Exception {
        List<String> lines = new ArrayList<>();
        java.util.function.Consumer<String> emit = l -> {
            lines.add(l);
            out.accept(l);
        };
        emit.accept(Figure.comment("ServiceBench: batches of " + batchSize + " x 8 x 7680 float32 at the client; ratios against"
                + " the same-process LocalBatcher, raw netty loopback and one materialisation, measured in this run; daemons"
                + " are batcher serve processes (" + Runtime.getRuntime().availableProcessors() + " cores here)"));
        Path ds = dataset != null ? dataset : generate(scratch, quick);
        SourceConfig source = new SourceConfig.Random(batchSize, 30, null, "fill:" + String.join(",", CHANNELS), null, null);
        BatcherSpec spec = BatcherSpec.of(ds.toString(), source);
        Dataset loaded = Dataset.load(ds);
        long bytesPerBatch;
        double local;
        double oneMaterialization;
        try (RecordingFiles files = new RecordingFiles(List.of(loaded.root()), 64);
                LocalBatcher lb = new LocalBatcher(BatchSources.build(source, loaded.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults()))) {
            Run r = drive(lb, seconds, BatchState.initial(1));
            bytesPerBatch = r.bytesPerBatch;
            local = r.batchesPerSecond();
            oneMaterialization = 1.0 / local;
            emit.accept(Figure.comment(String.format(Locale.ROOT, "local.batcher: %.1f batches/s, %.0f MB/s in this thread",
                    local, r.megabytesPerSecond())));
        }
        // Client throughput for W = 0, 1, 2 local workers, over shared memory and over TCP, each against the
        // LocalBatcher: the daemon is a `batcher serve` process of its own, as a user runs it.
        long rssBefore = -1;
        long rssAfter = -1;
        for (int w = 0; w <= 2; w++) {
            for (boolean shm : new boolean[] {true, false}) {
                List<String> args = new ArrayList<>(List.of("--local-workers=" + w, "--worker-slots=1"));
                if (w == 0) {
                    args.add("--manager-slots=2");
                }
                if (!shm) {
                    args.add("--no-shm");
                }
                try (DaemonProcess d = DaemonProcess.start(args);
                        BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withPrefetch(true))) {
                    BatcherHandle h = c.batcher("bench");
                    h.create(spec);
                    awaitSlots(h, w == 0 ? 2 : w);
                    if (w == 2 && shm) {
                        rssBefore = d.rssBytes();
                    }
                    h.start(BatchState.initial(2));
                    emit.accept(Figure.comment(String.format(Locale.ROOT, "%d worker process(es), %s: warm-up %s", w,
                            shm ? "shared memory" : "TCP", warmUntilSteady(h, BatchState.initial(2), quick ? 0.2 : 1,
                                    quick ? 0.5 : 90))));
                    Run r = drive(h, seconds, BatchState.initial(1));
                    emit.accept(new Figure(String.format(Locale.ROOT, "service, %s, %s (%.0f MB/s, %.0f%% of the time in take)",
                            w == 0 ? "0 workers (daemon materialises on 2 threads)" : w + " local worker process" + (w > 1 ? "es" : ""),
                            shm ? "shared memory" : "TCP", r.megabytesPerSecond(), 100 * r.takeWaitShare), r.batchesPerSecond(),
                            "batches/s", r.batchesPerSecond() / local,
                            String.format(Locale.ROOT, "LocalBatcher in one thread (%.1f batches/s)", local)).line());
                    h.stop();
                    if (w == 2 && shm) {
                        rssAfter = d.rssBytes();
                    }
                }
            }
        }
        if (rssBefore > 0 && rssAfter > 0) {
            emit.accept(new Figure("daemon RSS after the 2-worker shared-memory run", rssAfter / 1e6, "MB",
                    (double) rssBefore / rssAfter, String.format(Locale.ROOT, "its RSS before the run (%.0f MB)", rssBefore / 1e6))
                    .line());
        }
        // take() of a batch that is already buffered: its latency over shared memory and over TCP, against one
        // materialisation; and TCP take throughput against raw netty loopback of the same bytes.
        int buffered = quick ? 4 : 24;
        double raw = rawNettyBytesPerSecond(bytesPerBatch, buffered * 3);
        for (boolean shm : new boolean[] {true, false}) {
            List<String> args = new ArrayList<>(List.of("--local-workers=0", "--manager-slots=2"));
            if (!shm) {
                args.add("--no-shm");
            }
            try (DaemonProcess d = DaemonProcess.start(args);
                    BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withPrefetch(false))) {
                BatcherHandle h = c.batcher("buffered");
                h.create(spec.withCapacity(buffered));
                double best = 0;
                List<Long> latencies = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    BatchState s = BatchState.initial(100 + round);
                    h.start(s);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (h.status().buffered() < buffered && System.nanoTime() < deadline) {
                        LockSupportPark.parkMillis(20);
                    }
                    long t0 = System.nanoTime();
                    for (int i = 0; i < buffered; i++) {
                        long a = System.nanoTime();
                        Taken.Next n = (Taken.Next) h.take(s);
                        latencies.add(System.nanoTime() - a);
                        touch(n.batch());
                        n.batch().close();
                        s = n.state();
                    }
                    best = Math.max(best, buffered * (double) bytesPerBatch / ((System.nanoTime() - t0) / 1e9));
                    h.stop();
                }
                // The median, and the minimum: each take lets the daemon start refilling its window, and that work
                // competes for the same cores as the takes that follow.
                java.util.Collections.sort(latencies);
                double median = latencies.get(latencies.size() / 2) / 1e9;
                double min = latencies.get(0) / 1e9;
                String path = shm ? "shared memory" : "TCP";
                emit.accept(new Figure(String.format(Locale.ROOT, "take latency of a buffered batch, %s, median (min %.2f ms)", path,
                        min * 1e3), median * 1e3, "ms", oneMaterialization / median,
                        String.format(Locale.ROOT, "one materialisation in this thread (%.2f ms)", oneMaterialization * 1e3)).line());
                emit.accept(new Figure("take throughput of buffered batches, " + path + ", no prefetch", best / 1e6, "MB/s",
                        best / raw, String.format(Locale.ROOT, "raw netty loopback of the same bytes (%.0f MB/s)", raw / 1e6)).line());
            }
        }
        // Restart latency: take at another state (stop, restart, materialise) against one materialisation.
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(any).withManagerSlots(2));
                BatcherClient c = BatcherClient.connect(d.address())) {
            BatcherHandle h = c.batcher("restart");
            h.create(spec);
            h.start(BatchState.initial(7));
            ((Taken.Next) h.take(BatchState.initial(7))).batch().close();
            double sum = 0;
            int n = 10;
            for (int i = 0; i < n; i++) {
                BatchState elsewhere = new BatchState(7, 1000 + 37L * i);
                long t0 = System.nanoTime();
                Taken t = h.take(elsewhere);
                sum += (System.nanoTime() - t0) / 1e9;
                ((Taken.Next) t).batch().close();
            }
            double latency = sum / n;
            emit.accept(new Figure("service restart latency (take at another state)", latency * 1e3, "ms",
                    oneMaterialization / latency, String.format(Locale.ROOT, "one materialisation in this thread (%.2f ms)",
                            oneMaterialization * 1e3)).line());
            h.stop();
        }
        return lines;
    }

    /** Sleeps without being a synchronisation primitive: the benchmark polls the daemon's status. */
    private static final class LockSupportPark {
        static void parkMillis(long ms) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    static void awaitSlots(BatcherHandle h, int slots) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (h.status().slots() < slots) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("workers did not join in 60 s");
            }
            LockSupportPark.parkMillis(50);
        }
    }

    record Run(long batches, long bytesPerBatch, double elapsed, double takeWaitShare, BatchState next) {
        double batchesPerSecond() {
            return batches / elapsed;
        }

        double megabytesPerSecond() {
            return batches * (double) bytesPerBatch / elapsed / 1e6;
        }
    }

    /** Windows of the steady test: the median of the last {@value} against the median of the {@value} before. */
    static final int STEADY_RUN = 5;
    /** How much the last run's median may exceed the one before and still count as steady. */
    static final double STEADY_RISE = 1.04;
    /** How far the last run's median may fall below the one before and still count as steady. */
    static final double STEADY_FALL = 0.90;

    /**
     * Takes batches in windows of {@code window} seconds until the rate is steady ({@link #isSteady}) or
     * {@code maxSeconds} have passed, and says how it went: the rate of each window. Pools of fresh worker
     * JVMs take longer than one warm JVM to get there (their C2 compilers ran for 30-40 s on 2 cores); a
     * fixed short warm-up measured their start-up, not their throughput.
     */
    static String warmUntilSteady(Batcher b, BatchState start, double window, double maxSeconds) {
        long end = System.nanoTime() + (long) (maxSeconds * 1e9);
        List<Double> rates = new ArrayList<>();
        BatchState s = start;
        while (true) {
            Run run = drive(b, window, s);
            s = run.next();
            rates.add(run.batchesPerSecond());
            boolean steady = isSteady(rates);
            if (steady || System.nanoTime() > end) {
                return String.format(Locale.ROOT, "%s after %d windows of %.1f s (batches/s: %s)",
                        steady ? "steady" : "not steady", rates.size(), window,
                        rates.stream().map(r -> String.format(Locale.ROOT, "%.1f", r)).collect(Collectors.joining(", ")));
            }
        }
    }

    /**
     * Whether a warm-up's rates have settled: the median of the last {@value #STEADY_RUN} windows is at most
     * {@value #STEADY_RISE} and at least {@value #STEADY_FALL} times the median of the {@value #STEADY_RUN}
     * before. Medians, because one window on a shared machine moves by 10-30%; ten windows, because the
     * earlier test (three windows in a row within 10%) passed worker pools on a plateau of C1-compiled code
     * ({@code bench scale}, 2026-12-07: steady at 200 batches/s, then measured at 285); a floor, because a
     * dip of a few windows (another process, a collection) also passed a test of rising alone.
     *
     * @param rates the rate of each window so far, oldest first
     * @return true if there are at least {@code 2 x STEADY_RUN} windows and the last run's median is within those bounds
     */
    static boolean isSteady(List<Double> rates) {
        int n = rates.size();
        if (n < 2 * STEADY_RUN) {
            return false;
        }
        double last = median(rates.subList(n - STEADY_RUN, n));
        double before = median(rates.subList(n - 2 * STEADY_RUN, n - STEADY_RUN));
        return last <= STEADY_RISE * before && last >= STEADY_FALL * before;
    }

    private static double median(List<Double> values) {
        return Harness.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Takes batches for {@code seconds} (after a short warm-up), reading every float as a trainer would. */
    static Run drive(Batcher b, double seconds, BatchState start) {
        BatchState s = start;
        for (int i = 0; i < 5; i++) {
            Taken.Next n = (Taken.Next) b.take(s);
            n.batch().close();
            s = n.state();
        }
        long batches = 0;
        long bytes = 0;
        long waiting = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            long w0 = System.nanoTime();
            Taken.Next n = (Taken.Next) b.take(s);
            waiting += System.nanoTime() - w0;
            try (Batch batch = n.batch()) {
                bytes = 4L * (batch.x().remaining() + batch.y().remaining());
                touch(batch);
            }
            s = n.state();
            batches++;
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new Run(batches, bytes, elapsed, waiting / 1e9 / elapsed, s);
    }

    private static float sink;

    private static void touch(Batch batch) {
        var x = batch.x();
        float acc = 0;
        for (int i = 0; i < x.remaining(); i += 16) {
            acc += x.get(i);
        }
        sink += acc;
    }

    static Path generate(Path scratch, boolean quick) throws IOException {
        Path ds = Files.createTempDirectory(scratch, "bench-service").resolve("ds");
        SyntheticDataset.generate(ds, GeneratorOptions.builder().seed(3).recordings(quick ? 3 : 6)
                .hours(quick ? 0.05 : 1, quick ? 0.1 : 2).sampleRate(256)
                .threads(2).build());
        DatasetIndexer.index(ds);
        return ds;
    }

    /** The throughput of raw netty on loopback: a server writes {@code count} buffers of {@code size} bytes. */
    static double rawNettyBytesPerSecond(long size, int count) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            CompletableFuture<Long> done = new CompletableFuture<>();
            long total = size * count;
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 16 << 20))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                int sent;

                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    pump(ctx);
                                }

                                @Override
                                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                    pump(ctx);
                                }

                                private void pump(ChannelHandlerContext ctx) {
                                    while (sent < count && ctx.channel().isWritable()) {
                                        ByteBuf b = ctx.alloc().directBuffer((int) size);
                                        b.writerIndex((int) size);
                                        ctx.writeAndFlush(b);
                                        sent++;
                                    }
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            long[] t0 = new long[1];
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        long received;

                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            t0[0] = System.nanoTime();
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received += ((ByteBuf) msg).readableBytes();
                            ReferenceCountUtil.release(msg);
                            if (received >= total) {
                                done.complete(System.nanoTime() - t0[0]);
                            }
                        }
                    }).connect(server.localAddress()).sync().channel();
            long nanos = done.get(120, TimeUnit.SECONDS);
            client.close().sync();
            server.close().sync();
            return total / (nanos / 1e9);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Runs the benchmark from the command line: {@code ServiceBench [dataset] [seconds]}.
     *
     * @param args an optional dataset directory and seconds per figure
     * @throws Exception if the benchmark fails
     */
    public static void main(String[] args) throws Exception {
        Path ds = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : null;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        run(ds, Path.of(System.getProperty("java.io.tmpdir")), seconds, 32, false, System.out::println);
    }
}
