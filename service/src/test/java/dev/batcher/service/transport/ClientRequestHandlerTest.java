package dev.batcher.service.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherSpec;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.client.protocol.BatchMessage;
import dev.batcher.client.protocol.Cancel;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.Response;
import dev.batcher.service.TestData;
import dev.batcher.service.manager.Manager;
import dev.batcher.service.manager.RetryPolicy;
import dev.batcher.service.pool.LocalWorker;
import dev.batcher.service.pool.MaterializerCache;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client-request handler on an {@link EmbeddedChannel} with a real manager: requests are handled
 * in order, and takes are bounded per connection. The manager's completions hop to the test thread
 * through a queue the test drains (the embedded event loop is not thread-safe).
 */
@ExtendWith(LeakCheck.class)
@Timeout(60)
class ClientRequestHandlerTest {
    private static final BatchState INIT = BatchState.initial(7);

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final Manager manager = new Manager(pool, RetryPolicy.defaults(), System::nanoTime, List.of());
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private final ExecutorService materialize = Executors.newSingleThreadExecutor();
    private final MaterializerCache materializers = new MaterializerCache(List.of(), 8, Kernels.defaults());
    private final LinkedBlockingQueue<Runnable> hops = new LinkedBlockingQueue<>();
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.close();
            drain();
            channel.finishAndReleaseAll();
        }
        manager.close();
        blocking.shutdownNow();
        materialize.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        materializers.close();
    }

    private void open(int maxOutstandingTakes, int maxQueued) {
        channel = new EmbeddedChannel(new ClientRequestHandler(manager, blocking, "test", maxOutstandingTakes, maxQueued,
                hops::add));
    }

    private void withWorker() {
        pool.join(new LocalWorker("local", 1, materialize, materializers, UnpooledByteBufAllocator.DEFAULT));
    }

    private static BatcherSpec spec() {
        return BatcherSpec.of(TestData.dataset().toString(), new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null));
    }

    private void drain() {
        Runnable r;
        while ((r = hops.poll()) != null) {
            r.run();
        }
        channel.runPendingTasks();
    }

    /** Waits for {@code n} more answers and returns them in the order they were written. */
    private List<Frame> answers(int n) {
        List<Frame> got = new ArrayList<>();
        await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
            drain();
            Frame f;
            while ((f = channel.readOutbound()) != null) {
                got.add(f);
            }
            return got.size() >= n;
        });
        assertEquals(n, got.size(), "answers: " + got);
        return got;
    }

    private void send(Request request, long id) {
        channel.writeInbound(request.toFrame(id));
    }

    private static <R extends Response> R response(Frame f, Op op, Class<R> kind) {
        try {
            return kind.cast(Response.decode(f, op, "b"));
        } finally {
            f.release();
        }
    }

    private static String errorCode(Frame f) {
        try {
            assertEquals(MessageType.ERROR, f.type(), f.toString());
            RemoteBatcherException e = ErrorFrames.toException(f);
            return e.code();
        } finally {
            f.release();
        }
    }

    @Test
    void createThenStart_pipelined_startFindsTheBatcher() {
        open(4, 64);
        send(new Request.Create("b", spec()), 1);
        send(new Request.Start("b", INIT), 2);
        send(new Request.StatusQuery("b"), 3);

        List<Frame> got = answers(3);

        assertEquals(List.of(1L, 2L, 3L), got.stream().map(Frame::id).toList());
        assertTrue(response(got.get(0), Op.CREATE, Response.Created.class).created());
        assertTrue(response(got.get(1), Op.START, Response.Started.class).started());
        assertEquals("RUNNING", response(got.get(2), Op.STATUS, Response.StatusReport.class).status().status().name());
    }

    @Test
    void take_withWorker_answersBatchOfTheState() {
        withWorker();
        open(4, 64);
        send(new Request.Create("b", spec()), 1);
        send(new Request.Start("b", INIT), 2);
        send(new Request.Take("b", INIT), 3);
        send(new Request.Take("b", INIT.next()), 4);

        List<Frame> got = answers(4);
        got.get(0).release();
        got.get(1).release();
        for (int i = 0; i < 2; i++) {
            Frame batch = got.get(2 + i);
            try {
                assertEquals(3 + i, batch.id());
                BatchMessage m = BatchMessage.decode(batch);
                assertEquals(i == 0 ? INIT : INIT.next(), m.previous());
                assertArrayEquals(new int[] {2, 2, 30 * 128}, m.tensors().xShape(), m.tensors().toString());
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void take_pipelinedBeyondTheLimits_boundsStartedTakesAndStopsReading() {
        // No worker: a started take waits for ever, so it stays outstanding until cancelled.
        open(2, 3);
        send(new Request.Create("b", spec()), 1);
        send(new Request.Start("b", INIT), 2);
        answers(2).forEach(Frame::release);
        for (long id = 3; id <= 8; id++) {
            send(new Request.Take("b", INIT), id);
        }
        drain();
        // 2 takes started (3, 4); 4 queued (5..8) >= 3: the handler stops reading from the client.
        assertFalse(channel.config().isAutoRead(), "a full queue stops reading");
        assertTrue(channel.readOutbound() == null, "no answer yet");

        channel.writeInbound(new Cancel("test").toFrame(3));
        assertEquals(List.of(ErrorFrames.CODE_CANCELLED), answers(1).stream().map(ClientRequestHandlerTest::errorCode).toList());
        assertFalse(channel.config().isAutoRead(), "take 5 started, 6..8 queued: still full");

        channel.writeInbound(new Cancel("test").toFrame(8));
        List<Frame> queuedCancel = answers(1);
        assertEquals(8, queuedCancel.get(0).id(), "a queued take is withdrawn at once");
        assertEquals(ErrorFrames.CODE_CANCELLED, errorCode(queuedCancel.get(0)));
        assertTrue(channel.config().isAutoRead(), "2 queued < 3: reading again");
    }

    @Test
    void create_specTheDatasetRejects_answersBadRequestWithTheMessageAndNoClassNameOrStack() {
        open(4, 64);
        BatcherSpec halfEpochs = BatcherSpec.of(TestData.dataset().toString(),
                new SourceConfig.Random(2, 45, null, "fill:C3,C4", null, null));
        send(new Request.Create("b", halfEpochs), 1);

        Frame f = answers(1).get(0);
        try {
            assertEquals(MessageType.ERROR, f.type(), f.toString());
            assertFalse(f.header().has("stack"), f.header().toString());
            RemoteBatcherException e = ErrorFrames.toException(f);
            assertEquals(ErrorFrames.CODE_BAD_REQUEST, e.code());
            assertTrue(e.remoteClass().endsWith("IterationException"), e.remoteClass());
            assertTrue(e.getMessage().startsWith("batchDuration: 45.0 s is not a whole number of label periods"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("[code=bad_request]"), e.getMessage());
            assertFalse(e.toString().contains("dev.batcher.materializers"), e.toString());
        } finally {
            f.release();
        }
    }

    @Test
    void request_malformed_answersBadRequestAndTheNextInOrder() {
        open(4, 64);
        channel.writeInbound(Frame.of(MessageType.REQUEST, 1, Frame.newHeader().put("op", "fly")));
        send(new Request.ListQuery(), 2);

        List<Frame> got = answers(2);

        assertEquals(1, got.get(0).id());
        assertEquals(ErrorFrames.CODE_BAD_REQUEST, errorCode(got.get(0)));
        assertEquals(List.of(), response(got.get(1), Op.LIST, Response.Listing.class).batchers());
    }
}
