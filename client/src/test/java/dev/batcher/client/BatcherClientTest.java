package dev.batcher.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.TrackingAllocator;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client against {@link FakeDaemon} over TCP on 127.0.0.1: every operation of section 12, the
 * BATCH views, the error codes, timeouts with CANCEL, interrupts, lost connections and a daemon
 * restart on the same port. After each test, every buffer allocated on either side is released.
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class BatcherClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final BatcherSpec SPEC =
            BatcherSpec.of("/data/sleep", new SourceConfig.Sequential(2, 30, "all"));
    private static final int[] X_SHAPE = {2, 2, 3};
    private static final int[] Y_SHAPE = {2, 1, 1};

    private final TrackingAllocator clientAllocator = new TrackingAllocator();
    private final List<BatcherClient> clients = new ArrayList<>();
    private final List<FakeDaemon> daemons = new ArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private FakeDaemon daemon;

    @BeforeEach
    void startDaemon() throws InterruptedException {
        daemon = daemon(FakeDaemon.start(null));
    }

    @AfterEach
    void closeAndCheckBuffers() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "test threads did not end");
        for (BatcherClient client : clients) {
            client.close();
        }
        for (FakeDaemon d : daemons) {
            d.close();
        }
        await().atMost(WAIT).untilAsserted(clientAllocator::assertAllReleased);
        for (FakeDaemon d : daemons) {
            await().atMost(WAIT).untilAsserted(d.allocator::assertAllReleased);
        }
    }

    private FakeDaemon daemon(FakeDaemon d) {
        daemons.add(d);
        return d;
    }

    private static ClientOptions options() {
        return ClientOptions.defaults().withClientName("client-test");
    }

    private BatcherClient connect(FakeDaemon d, ClientOptions options) {
        BatcherClient client = BatcherClient.connect(d.address(), options, clientAllocator);
        clients.add(client);
        return client;
    }

    private BatcherClient connect() {
        return connect(daemon, options());
    }

    /** Checks shapes, views and every value of a batch against what the fake generates. */
    private static void assertBatch(Batch batch, BatchState state, int[] xShape, int[] yShape) {
        assertArrayEquals(xShape, batch.xShape());
        assertArrayEquals(yShape, batch.yShape());
        FloatBuffer x = batch.x();
        IntBuffer y = batch.y();
        assertTrue(x.isReadOnly() && y.isReadOnly(), "views are read-only");
        assertEquals(ByteOrder.LITTLE_ENDIAN, x.order());
        assertEquals(0, x.position());
        assertEquals(FakeDaemon.elements(xShape), x.remaining());
        assertEquals(FakeDaemon.elements(yShape), y.remaining());
        for (int i = 0; i < x.remaining(); i++) {
            if (x.get(i) != FakeDaemon.x(state, i)) {
                fail("x[" + i + "] of the batch at " + state + ": " + x.get(i) + " (expected: "
                        + FakeDaemon.x(state, i) + ")");
            }
        }
        for (int i = 0; i < y.remaining(); i++) {
            assertEquals(FakeDaemon.y(state, i), y.get(i), "y[" + i + "] at " + state);
        }
    }

    /** Takes the batch at {@code state}, checks it, closes it and returns the next state. */
    private static BatchState takeAndCheck(BatcherHandle handle, BatchState state) {
        Taken.Next next = assertInstanceOf(Taken.Next.class, handle.take(state));
        try (Batch batch = next.batch()) {
            assertBatch(batch, state, X_SHAPE, Y_SHAPE);
        }
        assertEquals(state.next(), next.state());
        return next.state();
    }

    @Test
    void operations_scriptedBatcher_roundTripEveryRequestAndAnswer() {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        assertEquals("train", train.name());
        assertTrue(train.create(SPEC));
        assertFalse(train.create(SPEC), "an equal spec exists");
        BatchState state = new BatchState(3, 0);
        assertTrue(train.start(state));
        assertFalse(train.start(state), "already running");
        for (int i = 0; i < 3; i++) {
            state = takeAndCheck(train, state);
        }
        BatcherStatus status = train.status();
        assertEquals("train", status.name());
        assertEquals(Status.RUNNING, status.status());
        assertEquals("seed=3,batch=3", status.state());
        assertEquals(3, status.taken());
        assertEquals(1.5, status.batchesPerSecond());
        assertEquals(List.of(status), client.list());
        train.stop();
        assertEquals(Status.CLOSED, train.status().status());
        assertEquals(List.of("create", "create", "start seed=3,batch=0", "start seed=3,batch=0",
                "take seed=3,batch=0", "take seed=3,batch=1", "take seed=3,batch=2", "status", "list",
                "stop", "status"), daemon.briefs(1));
        assertEquals(1, daemon.connections());
        assertTrue(daemon.exceptions.isEmpty(), () -> "daemon saw " + daemon.exceptions);
    }

    @Test
    void list_twoBatchers_returnsBothInTheDaemonsOrder() {
        BatcherClient client = connect();
        client.batcher("b").create(SPEC);
        client.batcher("a").create(BatcherSpec.of("/data/other",
                new SourceConfig.Random(4, 30, 2, null, null, null)).withCapacity(3).withRetries(1));
        List<BatcherStatus> list = client.list();
        assertEquals(List.of("a", "b"), list.stream().map(BatcherStatus::name).toList());
        assertEquals(Status.STOPPED, list.get(0).status());
    }

    @Test
    void take_smallBatch_viewsThePayloadWithoutCopyAndReleasesItOnce() {
        BatcherHandle train = connect().batcher("train");
        train.create(SPEC);
        BatchState state = BatchState.initial(11);
        train.start(state);
        Taken.Next next = assertInstanceOf(Taken.Next.class, train.take(state));
        RemoteBatch batch = assertInstanceOf(RemoteBatch.class, next.batch());
        assertFalse(batch.consolidated(), "a payload that arrived in one read is not copied");
        assertBatch(batch, state, X_SHAPE, Y_SHAPE);
        assertEquals(1, batch.payload().refCnt(), "the batch holds the only reference");
        assertEquals(state, batch.previous());
        batch.close();
        assertEquals(0, batch.payload().refCnt());
        batch.close();
        assertEquals(0, batch.payload().refCnt(), "close is idempotent");
        IllegalStateException closed = assertThrows(IllegalStateException.class, batch::x);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, batch::y);
    }

    @Test
    void take_largeBatchInManyReads_arrivesContiguousAndMatches() {
        BatcherHandle train = connect().batcher("train");
        int[] xShape = {4, 8, 16384};
        int[] yShape = {4, 1, 4};
        daemon.script("train").xShape = xShape;
        daemon.script("train").yShape = yShape;
        train.create(SPEC);
        BatchState state = new BatchState(5, 7);
        train.start(state);
        Taken.Next next = assertInstanceOf(Taken.Next.class, train.take(state));
        try (Batch batch = next.batch()) {
            RemoteBatch remote = (RemoteBatch) batch;
            assertFalse(remote.consolidated(), "a 2 MiB payload arrives in many reads into one pre-sized buffer");
            assertEquals(1, remote.payload().nioBufferCount());
            assertBatch(batch, state, xShape, yShape);
        }
        assertEquals(new BatchState(5, 8), next.state());
    }

    @Test
    void take_endOfFiniteSource_returnsEndWithTheLastState() {
        BatcherHandle eval = connect().batcher("eval");
        daemon.script("eval").endAt = 2;
        eval.create(SPEC);
        BatchState state = BatchState.initial(0);
        eval.start(state);
        state = takeAndCheck(eval, state);
        state = takeAndCheck(eval, state);
        Taken.End end = assertInstanceOf(Taken.End.class, eval.take(state));
        assertEquals(new BatchState(0, 2), end.last());
    }

    @Test
    void take_batchFailedOnWorker_throwsRemoteExceptionWithWorkerClassStackAndContext() {
        BatcherHandle train = connect().batcher("train");
        daemon.script("train").failAt = 1;
        train.create(SPEC);
        BatchState state = BatchState.initial(2);
        train.start(state);
        BatchState failing = takeAndCheck(train, state);
        RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> train.take(failing));
        assertEquals("failed", e.code());
        assertEquals("java.io.UncheckedIOException", e.remoteClass());
        assertEquals(FakeDaemon.FAILURE_MESSAGE, e.remoteMessage());
        assertTrue(e.remoteStack().contains("Caused by: java.io.IOException: truncated chunk"),
                e.remoteStack());
        assertEquals(Map.of("batcher", "train", "worker", "w1", "state", "seed=2,batch=1",
                "batch", "recording r1, file a.h5, dataset /signal, samples [0, 7680)",
                "attempts", "5"), e.context());
        assertTrue(e.getMessage().startsWith(FakeDaemon.FAILURE_MESSAGE
                + " [code=failed, batcher=train, worker=w1, state=seed=2,batch=1"), e.getMessage());
        assertTrue(e.toString().contains("Remote stack trace:"), e.toString());
    }

    @Test
    void take_notStarted_throwsNotRunningNamingTheStatus() {
        BatcherHandle train = connect().batcher("train");
        train.create(SPEC);
        RemoteBatcherException e = assertThrows(RemoteBatcherException.class,
                () -> train.take(BatchState.initial(1)));
        assertEquals("not_running", e.code());
        assertEquals(Map.of("batcher", "train", "status", "STOPPED"), e.context());
        assertTrue(e.remoteMessage().contains("call start"), e.remoteMessage());
    }

    @Test
    void requests_unknownBatcherOrConflictingSpec_throwBadRequest() {
        BatcherClient client = connect();
        RemoteBatcherException unknown = assertThrows(RemoteBatcherException.class,
                () -> client.batcher("nope").status());
        assertEquals("bad_request", unknown.code());
        assertEquals("java.lang.IllegalArgumentException", unknown.remoteClass());
        assertEquals("unknown batcher: nope (op status)", unknown.remoteMessage());
        client.batcher("train").create(SPEC);
        RemoteBatcherException conflict = assertThrows(RemoteBatcherException.class,
                () -> client.batcher("train").create(SPEC.withRetries(9)));
        assertEquals("bad_request", conflict.code());
        assertTrue(conflict.getMessage().contains("exists with another spec"), conflict.getMessage());
        // The connection survives request errors.
        assertEquals(1, client.list().size());
        assertEquals(1, daemon.connections());
    }

    @Test
    void take_noAnswerWithinTimeout_throwsTimeoutSendsCancelAndDropsTheLateBatch() {
        BatcherClient client = connect(daemon, options().withTakeTimeout(Duration.ofMillis(300)));
        BatcherHandle train = client.batcher("train");
        FakeDaemon.Script script = daemon.script("train");
        script.hangTakes.set(1);
        script.answerOnCancel = true;
        train.create(SPEC);
        BatchState state = BatchState.initial(4);
        train.start(state);
        BatcherTimeoutException e = assertThrows(BatcherTimeoutException.class, () -> train.take(state));
        assertEquals("take", e.op());
        assertEquals("train", e.batcher());
        assertEquals(Duration.ofMillis(300), e.timeout());
        long id = daemon.last("take").id();
        assertEquals("take on batcher 'train' got no answer within 300 ms; request " + id
                + " was cancelled", e.getMessage());
        await().atMost(WAIT).until(() -> daemon.cancels.contains(id));
        // The late BATCH that answers the CANCEL is dropped (and released); the connection goes on.
        await().atMost(WAIT).until(() -> client.currentConnection().droppedAnswers() == 1);
        takeAndCheck(train, state);
        assertEquals(1, client.currentConnection().generation());
        assertEquals(1, daemon.connections());
        assertEquals(0, client.currentConnection().pendingCount());
    }

    @Test
    void take_threadInterrupted_restoresTheFlagThrowsNamingTheOpAndCancels() throws Exception {
        BatcherHandle train = connect().batcher("train");
        daemon.script("train").hangTakes.set(1);
        train.create(SPEC);
        BatchState state = BatchState.initial(1);
        train.start(state);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagSet = new AtomicBoolean();
        Thread taker = new Thread(() -> {
            try {
                train.take(state).toString();
            } catch (Throwable t) {
                thrown.set(t);
                flagSet.set(Thread.currentThread().isInterrupted());
            }
        }, "taker");
        taker.start();
        await().atMost(WAIT).until(() -> daemon.last("take") != null);
        taker.interrupt();
        taker.join(WAIT.toMillis());
        assertFalse(taker.isAlive());
        BatcherClientException e = assertInstanceOf(BatcherClientException.class, thrown.get());
        long id = daemon.last("take").id();
        assertEquals("take on batcher 'train' interrupted while waiting for the answer; request " + id
                + " cancelled", e.getMessage());
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertTrue(flagSet.get(), "the interrupt flag is restored");
        await().atMost(WAIT).until(() -> daemon.cancels.contains(id));
    }

    @Test
    void take_connectionDropped_failsWithConnectionLostAndTheNextTakeResumes() throws Exception {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        daemon.script("train").hangTakes.set(1);
        train.create(SPEC);
        BatchState state = BatchState.initial(6);
        train.start(state);
        CompletableFuture<Taken> pending = CompletableFuture.supplyAsync(() -> train.take(state), executor);
        await().atMost(WAIT).until(() -> daemon.last("take") != null);
        daemon.dropConnections();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        ConnectionLostException lost = assertInstanceOf(ConnectionLostException.class, failure.getCause());
        assertEquals(daemon.address(), lost.address());
        assertTrue(lost.getMessage().startsWith("connection to " + daemon.address()
                + " lost while waiting for the answer to take on batcher 'train' (request "),
                lost.getMessage());
        await().atMost(WAIT).until(() -> !client.isConnected());
        // The daemon stopped the stream of the lost client; the handle re-creates and re-starts it.
        takeAndCheck(train, state);
        assertEquals(List.of("create", "start seed=6,batch=0", "take seed=6,batch=0"), daemon.briefs(2));
        assertEquals(2, client.currentConnection().generation());
    }

    @Test
    void take_daemonRestartedOnTheSamePort_reconnectsRecreatesRestartsAndReturnsTheBatch()
            throws Exception {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        train.create(SPEC);
        BatchState state = BatchState.initial(9);
        train.start(state);
        state = takeAndCheck(train, state);
        state = takeAndCheck(train, state);
        int port = daemon.address().getPort();
        daemon.close();
        await().atMost(WAIT).until(() -> !client.isConnected());
        BatchState down = state;
        ConnectionLostException refused = assertThrows(ConnectionLostException.class,
                () -> train.take(down));
        assertTrue(refused.getMessage().startsWith("could not connect to " + client.address()
                + " for take on batcher 'train': "), refused.getMessage());
        FakeDaemon restarted = daemon(FakeDaemon.start(port, null));
        assertEquals(port, restarted.address().getPort());
        state = takeAndCheck(train, state);
        state = takeAndCheck(train, state);
        assertEquals(List.of("create", "start seed=9,batch=2", "take seed=9,batch=2",
                "take seed=9,batch=3"), restarted.briefs(1));
        assertEquals(Status.RUNNING, train.status().status());
        assertEquals("seed=9,batch=4", train.status().state());
    }

    @Test
    void take_reconnectedAfterStop_doesNotStartAgain() throws Exception {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        train.create(SPEC);
        BatchState state = BatchState.initial(1);
        train.start(state);
        train.stop();
        daemon.dropConnections();
        await().atMost(WAIT).until(() -> !client.isConnected());
        RemoteBatcherException e = assertThrows(RemoteBatcherException.class, () -> train.take(state));
        assertEquals("not_running", e.code());
        assertEquals(List.of("create", "take seed=1,batch=0"), daemon.briefs(2));
    }

    @Test
    void take_twoThreadsOnOneConnection_eachGetsItsOwnBatches() throws Exception {
        BatcherClient client = connect();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (String name : List.of("left", "right")) {
            BatcherHandle handle = client.batcher(name);
            handle.create(SPEC);
            BatchState start = BatchState.initial(name.length());
            handle.start(start);
            loops.add(CompletableFuture.runAsync(() -> {
                BatchState state = start;
                for (int i = 0; i < 25; i++) {
                    state = takeAndCheck(handle, state);
                }
            }, executor));
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new))
                .get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
        assertEquals(1, daemon.connections());
    }

    @Test
    void connect_tokenMissingOrWrong_throwsUnauthorizedNamingTheDaemon() throws Exception {
        FakeDaemon secured = daemon(FakeDaemon.start("s3cret"));
        RemoteBatcherException missing = assertThrows(RemoteBatcherException.class,
                () -> connect(secured, options()));
        assertEquals("unauthorized", missing.code());
        assertEquals("handshake rejected: hello.token: absent (expected: the token configured on "
                + "the daemon)", missing.remoteMessage());
        assertEquals(secured.address().toString(), missing.context().get("daemon"));
        assertTrue(missing.context().get("hint").contains("ClientOptions.withToken"),
                missing.context().toString());
        RemoteBatcherException wrong = assertThrows(RemoteBatcherException.class,
                () -> connect(secured, options().withToken("guess")));
        assertEquals("unauthorized", wrong.code());
        assertTrue(wrong.getMessage().contains("<redacted>"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("guess"), "the token is never shown");
        assertEquals("the token given to the client is not the daemon's token",
                wrong.context().get("hint"));
        BatcherClient client = connect(secured, options().withToken("s3cret"));
        assertEquals(List.of(), client.list());
    }

    @Test
    void connect_nothingListening_throwsConnectionLostNamingTheAddress() throws Exception {
        FakeDaemon gone = FakeDaemon.start(null);
        InetSocketAddress address = gone.address();
        gone.close();
        ConnectionLostException e = assertThrows(ConnectionLostException.class,
                () -> BatcherClient.connect(address, options(), clientAllocator));
        assertEquals(address, e.address());
        assertTrue(e.getMessage().startsWith("could not connect to " + address + ": "), e.getMessage());
        assertNotNull(e.getCause());
    }

    @Test
    void arguments_nullOrBlankOrClosed_areRejectedWithClearMessages() {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        assertEquals("state: null (expected: a BatchState)",
                assertThrows(NullPointerException.class, () -> train.take(null)).getMessage());
        assertEquals("state: null (expected: a BatchState)",
                assertThrows(NullPointerException.class, () -> train.start(null)).getMessage());
        assertEquals("spec: null (expected: a BatcherSpec)",
                assertThrows(NullPointerException.class, () -> train.create(null)).getMessage());
        assertEquals("name: null (expected: a batcher name)",
                assertThrows(NullPointerException.class, () -> client.batcher(null)).getMessage());
        assertEquals("name: \" \" (expected: a non-blank batcher name)",
                assertThrows(IllegalArgumentException.class, () -> client.batcher(" ")).getMessage());
        train.close();
        assertEquals("batcher handle 'train' is closed (take)", assertThrows(IllegalStateException.class,
                () -> train.take(BatchState.initial(0))).getMessage());
        assertTrue(daemon.requests.isEmpty(), "nothing was sent");
        BatcherHandle other = client.batcher("other");
        client.close();
        client.close();
        assertEquals("client to " + daemon.address() + " is closed (list)",
                assertThrows(IllegalStateException.class, client::list).getMessage());
        assertThrows(IllegalStateException.class, other::status);
        assertThrows(IllegalStateException.class, () -> client.batcher("x"));
    }

    @Test
    void close_requestWaiting_failsItAndSaysGoodbye() throws Exception {
        BatcherClient client = connect();
        BatcherHandle train = client.batcher("train");
        daemon.script("train").hangTakes.set(1);
        train.create(SPEC);
        train.start(BatchState.initial(0));
        CompletableFuture<Taken> pending =
                CompletableFuture.supplyAsync(() -> train.take(BatchState.initial(0)), executor);
        await().atMost(WAIT).until(() -> daemon.last("take") != null);
        client.close();
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        ConnectionLostException lost = assertInstanceOf(ConnectionLostException.class, failure.getCause());
        assertTrue(lost.getMessage().endsWith(": the client was closed"), lost.getMessage());
        assertFalse(client.isConnected());
    }

    /** Starts a take that the daemon leaves unanswered, and waits until the daemon has it. */
    private CompletableFuture<Taken> hangingTake(BatcherClient client) {
        BatcherHandle train = client.batcher("train");
        daemon.script("train").hangTakes.set(1);
        train.create(SPEC);
        train.start(BatchState.initial(0));
        CompletableFuture<Taken> pending =
                CompletableFuture.supplyAsync(() -> train.take(BatchState.initial(0)), executor);
        await().atMost(WAIT).until(() -> daemon.last("take") != null);
        return pending;
    }

    private static ConnectionLostException lost(CompletableFuture<Taken> pending) {
        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return assertInstanceOf(ConnectionLostException.class, failure.getCause());
    }

    @Test
    void take_daemonSaysGoodbye_failsWithConnectionLostGivingTheReason() throws Exception {
        BatcherClient client = connect();
        CompletableFuture<Taken> pending = hangingTake(client);
        daemon.sendToClients(() -> Frame.of(MessageType.GOODBYE, 0,
                Frame.newHeader().put("reason", "shutting down")), true);
        ConnectionLostException lost = lost(pending);
        assertTrue(lost.getMessage().endsWith(": the daemon said GOODBYE (shutting down)"),
                lost.getMessage());
    }

    @Test
    void take_daemonSendsConnectionError_failsWithConnectionLostCausedByTheRemoteError()
            throws Exception {
        BatcherClient client = connect();
        CompletableFuture<Taken> pending = hangingTake(client);
        daemon.sendToClients(() -> ErrorFrames.error(0, ErrorFrames.CODE_INTERNAL,
                new IllegalStateException("daemon out of memory"), Map.of()), true);
        ConnectionLostException lost = lost(pending);
        RemoteBatcherException cause = assertInstanceOf(RemoteBatcherException.class, lost.getCause());
        assertEquals("daemon out of memory", cause.remoteMessage());
        assertTrue(lost.getMessage().contains("the daemon closed the connection with an error: "
                + "daemon out of memory [code=internal]"),
                lost.getMessage());
    }

    @Test
    void take_daemonSendsAFrameNotForClients_closesAsAProtocolViolation() throws Exception {
        BatcherClient client = connect();
        CompletableFuture<Taken> pending = hangingTake(client);
        daemon.sendToClients(() -> Frame.of(MessageType.JOB, 1), false);
        ConnectionLostException lost = lost(pending);
        ProtocolException cause = assertInstanceOf(ProtocolException.class, lost.getCause());
        assertEquals("type: JOB (expected: RESPONSE, BATCH, ERROR or GOODBYE from the daemon)",
                cause.getMessage());
        await().atMost(WAIT).until(() -> daemon.errors.stream().anyMatch(e ->
                "protocol".equals(e.code()) && e.remoteMessage().equals(cause.getMessage())));
    }

    @Test
    void create_specTooLargeForAHeader_failsLocallyAndTheConnectionSurvives() {
        BatcherClient client = connect(daemon, options().withWire(WireConfig.defaults()
                .withMaxFrameLength(WireConfig.MIN_MAX_FRAME_LENGTH)));
        List<BatchSpec> batches = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batches.add(new BatchSpec(List.of(new ItemSpec("recording-" + i, "file-" + i + ".h5",
                    "/signal", i, 7680, ChannelSelection.all(), "/labels", i, 1, 0))));
        }
        BatcherSpec huge = BatcherSpec.of("/data/sleep", new SourceConfig.Specs(batches));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> client.batcher("huge").create(huge));
        assertEquals("headerLength", e.field());
        assertTrue(e.getMessage().endsWith("(expected: <= 65521, the maximum header length; frame "
                + "REQUEST id 1)"), e.getMessage());
        assertEquals(List.of(), client.list());
        assertEquals(1, daemon.connections());
    }

    @Test
    void connect_sharedEventLoopGroup_isUsedAndLeftRunning() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            BatcherClient client = connect(daemon, options().withEventLoopGroup(group));
            assertEquals(List.of(), client.list());
            assertTrue(client.currentConnection().channel().eventLoop().parent() == group);
            Future<?> onLoop = group.submit(client::list);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> onLoop.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals("list called on an event loop thread of the client's group; blocking there "
                    + "would deadlock the connection", e.getCause().getMessage());
            client.close();
            assertFalse(group.isShuttingDown(), "a shared group is the caller's to stop");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(WAIT.toMillis());
        }
    }
}
