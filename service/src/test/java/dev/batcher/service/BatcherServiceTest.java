package dev.batcher.service;

import dev.batcher.materializers.iteration.BatchSources;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.client.Status;
import dev.batcher.materializers.dataset.Dataset;
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
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.service.worker.WorkerNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OndaBatches' {@code test/batch_services.jl}, translated and extended: a daemon that materialises
 * itself ("single"), a daemon with two worker nodes ("multi") and the LocalBatcher give the same
 * batches and states, through the Java client over loopback.
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(120)
class BatcherServiceTest {
    static final SourceConfig RANDOM = new SourceConfig.Random(2, 300, 1, null, null, null);
    static final BatchState INIT = BatchState.initial(1338);

    static BatcherDaemon single;
    static BatcherDaemon multi;
    static List<WorkerNode> nodes = new ArrayList<>();
    static Dataset dataset;
    static RecordingFiles files;

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @BeforeAll
    static void daemons() throws Exception {
        dataset = Dataset.load(TestData.dataset());
        files = new RecordingFiles(List.of(dataset.root()), 8);
        single = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(1));
        multi = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(0));
        nodes.add(WorkerNodeIntegrationTest.worker(multi, "a", 2));
        nodes.add(WorkerNodeIntegrationTest.worker(multi, "b", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> freeSlots(multi) == 3);
    }

    @AfterAll
    static void close() {
        nodes.forEach(WorkerNode::close);
        multi.close();
        single.close();
        files.close();
    }

    static int freeSlots(BatcherDaemon d) throws Exception {
        return d.manager().pool().loop().submit(() -> d.manager().pool().freeSlots()).get();
    }

    static BatcherSpec spec(SourceConfig source) {
        return BatcherSpec.of(TestData.dataset().toString(), source);
    }

    LocalBatcher local(SourceConfig source) {
        return new LocalBatcher(BatchSources.build(source, dataset.signals()), new Materializer(files, MaterializeOptions.defaults(), Kernels.scalar()));
    }

    /** The SHA-256 of a take's x and y bytes and its next state; closes the batch. */
    static String digest(Taken taken) throws Exception {
        if (taken instanceof Taken.End end) {
            return "end@" + end.last();
        }
        Taken.Next next = (Taken.Next) taken;
        try (Batch b = next.batch()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            var x = b.x();
            ByteBuffer bytes = ByteBuffer.allocate(x.remaining() * 4);
            bytes.asFloatBuffer().put(x);
            md.update(bytes);
            var y = b.y();
            ByteBuffer ybytes = ByteBuffer.allocate(y.remaining() * 4);
            ybytes.asIntBuffer().put(y);
            md.update(ybytes);
            return HexFormat.of().formatHex(md.digest()) + "@" + next.state();
        }
    }

    static BatchState state(String digest) {
        return BatchState.parse(digest.substring(digest.indexOf('@') + 1));
    }

    @Test
    void take_singleMultiAndLocal_identicalBatchesAndStatesThatStayInSync() throws Exception {
        try (BatcherClient c1 = BatcherClient.connect(single.address()); BatcherClient c2 = BatcherClient.connect(multi.address());
                LocalBatcher local = local(RANDOM)) {
            BatcherHandle batcher = c1.batcher("sync");
            BatcherHandle multibatcher = c2.batcher("sync");
            assertTrue(batcher.create(spec(RANDOM)));
            assertFalse(batcher.create(spec(RANDOM)), "creating again with an equal spec is a no-op");
            multibatcher.create(spec(RANDOM));

            // Not started: take is an error that says to start.
            assertEquals(Status.STOPPED, batcher.status().status());
            RemoteBatcherException notRunning = assertThrows(RemoteBatcherException.class, () -> batcher.take(INIT));
            assertEquals("not_running", notRunning.code());
            assertTrue(notRunning.getMessage().contains("start(state)"), notRunning.getMessage());

            assertTrue(batcher.start(INIT));
            assertEquals(Status.RUNNING, batcher.status().status());
            String b = digest(batcher.take(INIT));
            multibatcher.start(INIT);
            // Taking the initial state again restarts (with a warning) and repeats the batch.
            assertEquals(b, digest(batcher.take(INIT)));
            assertEquals(1, batcher.status().restarts());
            String bm = digest(multibatcher.take(INIT));
            String bl = digest(local.take(INIT));
            assertEquals(b, bm);
            assertEquals(b, bl);

            BatchState s = state(b);
            BatchState sm = state(bm);
            for (int i = 0; i < 10; i++) {
                String x = digest(batcher.take(s));
                String xm = digest(multibatcher.take(sm));
                assertEquals(x, xm);
                assertEquals(x, digest(local.take(s)));
                s = state(x);
                sm = state(xm);
            }
            assertEquals(1, batcher.status().restarts(), "in-order takes never restart");

            // start on a running batcher is a no-op; stop then start gives a fresh channel.
            assertFalse(batcher.start(INIT));
            batcher.stop();
            assertEquals(Status.CLOSED, batcher.status().status());
            batcher.stop();
            assertEquals(Status.CLOSED, batcher.status().status());
            assertTrue(batcher.start(INIT));
            assertEquals(b, digest(batcher.take(INIT)));
            batcher.stop();
            multibatcher.stop();
            assertEquals(Status.CLOSED, multibatcher.status().status());
            await().atMost(Duration.ofSeconds(10)).until(() -> freeSlots(multi) == 3);
        }
    }

    @Test
    void take_badFilePath_throwsNamingTheFile_statusFailed_stopTwice_poolIntact() throws Exception {
        List<ItemSpec> items = List.of(new ItemSpec("ghost", "blahblah", "/signals/eeg", 0, 128, ChannelSelection.all(),
                "/labels/stage", 0, 1, 0));
        SourceConfig bad = new SourceConfig.Specs(List.of(new BatchSpec(items)));
        for (BatcherDaemon d : List.of(single, multi)) {
            try (BatcherClient c = BatcherClient.connect(d.address())) {
                BatcherHandle badbatcher = c.batcher("bad");
                badbatcher.create(spec(bad).withRetries(1));
                badbatcher.start(INIT);
                RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> badbatcher.take(INIT));
                assertEquals("failed", e.code());
                assertEquals("dev.batcher.materializers.assembly.ItemException", e.remoteClass());
                assertTrue(e.remoteMessage().contains("file blahblah"), e.remoteMessage());
                assertTrue(e.context().get("batch").contains("file blahblah, dataset /signals/eeg, samples [0, 128)"),
                        e.context().toString());
                assertEquals(INIT.toString(), e.context().get("state"));
                assertTrue(e.remoteStack().contains("RecordingReadException"), e.remoteStack());
                BatcherStatus st = badbatcher.status();
                assertEquals(Status.FAILED, st.status());
                assertEquals("2", e.context().get("attempts"));
                badbatcher.stop();
                badbatcher.stop();
                int slots = d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get();
                await().atMost(Duration.ofSeconds(10)).until(() -> freeSlots(d) == slots);
            }
        }
    }

    @Test
    void take_finiteSource_allBatchesThenEndThenDone() throws Exception {
        SourceConfig sequential = new SourceConfig.Sequential(8, 60, "fill:C3,C4");
        for (BatcherDaemon d : List.of(single, multi)) {
            try (BatcherClient c = BatcherClient.connect(d.address()); LocalBatcher local = local(sequential)) {
                BatcherHandle valid = c.batcher("valid");
                valid.create(spec(sequential));
                BatchState s = BatchState.initial(0);
                valid.start(s);
                List<String> remote = new ArrayList<>();
                String last;
                do {
                    last = digest(valid.take(s));
                    remote.add(last);
                    s = state(last);
                } while (!last.startsWith("end@"));
                List<String> expected = new ArrayList<>();
                BatchState ls = BatchState.initial(0);
                do {
                    last = digest(local.take(ls));
                    expected.add(last);
                    ls = state(last);
                } while (!last.startsWith("end@"));
                assertEquals(expected, remote);
                assertTrue(remote.size() > 3);
                assertEquals(Status.DONE, valid.status().status());
                assertInstanceOf(Taken.End.class, valid.take(s), "end again after the end");
                valid.stop();
            }
        }
    }

    @Test
    void take_noWorkersAtStart_waitsForWorkersAndResumesWhenOneJoins() throws Exception {
        try (BatcherDaemon empty = BatcherDaemon.start(BatcherDaemon.Options.defaults().withBind(anyPort()).withManagerSlots(0));
                BatcherClient c = BatcherClient.connect(empty.address()); LocalBatcher local = local(RANDOM)) {
            BatcherHandle h = c.batcher("train");
            h.create(spec(RANDOM));
            h.start(INIT);
            assertTrue(h.status().waitingForWorkers());
            var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return digest(h.take(INIT));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (WorkerNode late = WorkerNodeIntegrationTest.worker(empty, "late", 1)) {
                assertEquals(digest(local.take(INIT)), pending.get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertFalse(h.status().waitingForWorkers());
                h.stop();
            }
        }
    }

    @Test
    void take_afterDaemonRestart_reconnectsAndResumesAtTheHeldState() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults().withBind(address).withManagerSlots(2);
        try (LocalBatcher local = local(RANDOM)) {
            BatcherDaemon first = BatcherDaemon.start(o);
            BatcherClient c = BatcherClient.connect(address);
            try {
                BatcherHandle h = c.batcher("train");
                h.create(spec(RANDOM));
                h.start(INIT);
                BatchState s = INIT;
                for (int i = 0; i < 3; i++) {
                    s = state(digest(h.take(s)));
                }
                first.close();
                try (BatcherDaemon second = BatcherDaemon.start(o)) {
                    String resumed = await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> digest(h.take(INIT.next().next().next())), r -> true);
                    assertEquals(digest(local.take(s)), resumed);
                    h.stop();
                }
            } finally {
                c.close();
            }
        }
    }

    @Test
    void take_withPrefetch_sameBatchesAsLocal_andAnyOtherStateStillGetsItsOwnBatch() throws Exception {
        try (BatcherClient c = BatcherClient.connect(multi.address(),
                dev.batcher.client.ClientOptions.defaults().withPrefetch(true)); LocalBatcher local = local(RANDOM)) {
            BatcherHandle h = c.batcher("prefetch");
            h.create(spec(RANDOM));
            h.start(INIT);
            BatchState s = INIT;
            for (int i = 0; i < 8; i++) {
                String remote = digest(h.take(s));
                assertEquals(digest(local.take(s)), remote);
                s = state(remote);
            }
            assertEquals(0, h.status().restarts(), "in-order takes find the prefetched batch");
            BatchState elsewhere = new BatchState(1338, 77);
            assertEquals(digest(local.take(elsewhere)), digest(h.take(elsewhere)));
            BatchState skipAhead = state(digest(local.take(elsewhere))).next();
            assertEquals(digest(local.take(skipAhead)), digest(h.take(skipAhead)));
            h.stop();
            assertEquals(Status.CLOSED, h.status().status());
            await().atMost(Duration.ofSeconds(10)).until(() -> freeSlots(multi) == 3);
        }
    }

    @Test
    void take_batcherDefinedByASourceInterface_isExercisedThroughTheSameContract() throws Exception {
        // The service and the local batcher both implement Batcher: a loop written once runs on either.
        try (BatcherClient c = BatcherClient.connect(multi.address()); LocalBatcher local = local(RANDOM)) {
            BatcherHandle h = c.batcher("contract");
            h.create(spec(RANDOM));
            h.start(INIT);
            assertEquals(run(local, 5), run(h, 5));
            h.stop();
        }
    }

    static List<String> run(Batcher b, int n) throws Exception {
        List<String> out = new ArrayList<>();
        BatchState s = INIT;
        for (int i = 0; i < n; i++) {
            String d = digest(b.take(s));
            out.add(d);
            s = state(d);
        }
        return out;
    }
}
