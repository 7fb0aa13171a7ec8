package dev.batcher.client.protocol;

import dev.batcher.api.BatchShapes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.RemoteBatcherException;
import dev.batcher.client.Status;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every message type decodes what it encodes, after a trip through the frame codec, and rejects
 * malformed headers with the field named.
 */
@ExtendWith(LeakCheck.class)
class MessagesTest {
    private static final BatchState S7 = BatchState.parse("seed=1,batch=7");
    private static final BatchState S8 = BatchState.parse("seed=1,batch=8");
    private static final BatcherSpec SPEC = BatcherSpec.of("/data/sleep", new SourceConfig.Sequential(4, 30, null))
            .withCapacity(3);

    /** Encodes a frame to bytes and decodes it back, as the peer would see it. */
    private static Frame trip(Frame frame) {
        io.netty.channel.embedded.EmbeddedChannel decoder =
                new io.netty.channel.embedded.EmbeddedChannel(new FrameDecoder());
        decoder.writeInbound(WireTestSupport.encode(frame));
        Frame back = decoder.readInbound();
        decoder.finishAndReleaseAll();
        return back;
    }

    private static <T> T decoded(Frame frame, Function<Frame, T> decode) {
        Frame back = trip(frame);
        try {
            return decode.apply(back);
        } finally {
            back.release();
        }
    }

    @Test
    void request_everyOp_roundTripsEqual() {
        List<Request> all = List.of(new Request.Create("train", SPEC), new Request.Start("train", S7),
                new Request.Take("train", S7), new Request.Stop("train"), new Request.StatusQuery("train"),
                new Request.ListQuery());
        assertEquals(Op.values().length, all.size(), "one request record per op");
        for (Request r : all) {
            assertEquals(r, decoded(r.toFrame(5), Request::decode));
        }
    }

    @Test
    void request_unknownOp_badRequestNamingOps() {
        ObjectNode h = Frame.newHeader().put("op", "fly").put("batcher", "b");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(h));
        assertEquals(ErrorFrames.CODE_BAD_REQUEST, e.code());
        assertEquals("op: fly (expected: one of create, start, take, stop, status, list)", e.getMessage());
    }

    @Test
    void request_badSpec_badRequestNamingTheFieldWithoutParserInternals() throws Exception {
        ObjectNode h = Frame.newHeader().put("op", "create").put("batcher", "b");
        h.set("spec", Json.MAPPER.readTree("{\"dataset\":\"/d\",\"source\":{\"type\":\"random\",\"batchSize\":\"x\","
                + "\"batchSeconds\":30}}"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(h));
        assertEquals(ErrorFrames.CODE_BAD_REQUEST, e.code());
        assertEquals("create.spec.source.batchSize", e.field());
        assertEquals("create.spec.source.batchSize: \"x\" (expected: an integer)", e.getMessage());
    }

    @Test
    void request_badState_badRequestNamingField() {
        ObjectNode h = Frame.newHeader().put("op", "take").put("batcher", "b").put("state", "nope");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Request.decode(h));
        assertEquals(ErrorFrames.CODE_BAD_REQUEST, e.code());
        assertEquals("take.state", e.field());
        ObjectNode noBatcher = Frame.newHeader().put("op", "stop");
        assertEquals("stop.batcher", assertThrows(ProtocolException.class, () -> Request.decode(noBatcher)).field());
    }

    @Test
    void response_everyKind_roundTripsEqual() {
        BatcherStatus status = new BatcherStatus("b", Status.RUNNING, null, "seed=1,batch=3", 3, 2, 0, 0, 5, 0, 0, 0, 1,
                2, false, 1.5, 0.25, 0, 0, 0, 0, 0);
        assertEquals(new Response.Created(true), decoded(new Response.Created(true).toFrame(1),
                f -> Response.decode(f, Op.CREATE, "b")));
        assertEquals(new Response.Started(false), decoded(new Response.Started(false).toFrame(1),
                f -> Response.decode(f, Op.START, "b")));
        assertEquals(new Response.Stopped(), decoded(new Response.Stopped().toFrame(1),
                f -> Response.decode(f, Op.STOP, "b")));
        assertEquals(new Response.StatusReport(status), decoded(new Response.StatusReport(status).toFrame(1),
                f -> Response.decode(f, Op.STATUS, "b")));
        assertEquals(new Response.Listing(List.of(status)), decoded(new Response.Listing(List.of(status)).toFrame(1),
                f -> Response.decode(f, Op.LIST, null)));
        assertEquals(new Response.End(S8), decoded(new Response.End(S8).toFrame(1),
                f -> Response.decode(f, Op.TAKE, "b")));
    }

    @Test
    void response_error_throwsRemoteException() {
        Frame error = ErrorFrames.error(3, ErrorFrames.CODE_NOT_RUNNING, new IllegalStateException("stopped"),
                java.util.Map.of());
        RemoteBatcherException e = assertThrows(RemoteBatcherException.class,
                () -> decoded(error, f -> Response.decode(f, Op.TAKE, "b")));
        assertEquals(ErrorFrames.CODE_NOT_RUNNING, e.code());
    }

    @Test
    void batchMessage_roundTrip_keepsShapesStatesAndPayload() {
        BatchShapes t = new BatchShapes(new int[] {2, 1, 3}, new int[] {2, 1, 1});
        ByteBuf payload = Unpooled.buffer(TensorHeader.payloadBytes(t)).writeZero(TensorHeader.payloadBytes(t));
        Frame back = trip(new BatchMessage(S8, S7, t).toFrame(9, payload));
        try {
            BatchMessage m = BatchMessage.decode(back);
            assertEquals(new BatchMessage(S8, S7, t), m);
            assertEquals(9, back.id());
            assertEquals(32, back.payload().readableBytes());
            assertEquals("little", back.header().get("byteOrder").asText());
        } finally {
            back.release();
        }
    }

    @Test
    void tensors_read_oneSetOfRules() {
        BatchShapes t = new BatchShapes(new int[] {2, 3}, new int[] {2, 1});
        ObjectNode ok = TensorHeader.write(Frame.newHeader(), t);
        assertEquals(t, TensorHeader.read(ok, "batch"));
        assertArrayEquals(new int[] {2, 3}, TensorHeader.read(ok.deepCopy().without("byteOrder"), "batch").xShape(),
                "an absent byteOrder means little");

        ObjectNode fractional = ok.deepCopy();
        ((ObjectNode) fractional.get("x")).putArray("shape").add(2.5);
        assertEquals("batch.x.shape[0]", assertThrows(ProtocolException.class,
                () -> TensorHeader.read(fractional, "batch")).field());
        ObjectNode negative = ok.deepCopy();
        ((ObjectNode) negative.get("y")).putArray("shape").add(-1);
        assertEquals("jobResult.y.shape[0]", assertThrows(ProtocolException.class,
                () -> TensorHeader.read(negative, "jobResult")).field());
        ObjectNode dtype = ok.deepCopy();
        ((ObjectNode) dtype.get("x")).put("dtype", "float64");
        assertEquals("batch.x.dtype", assertThrows(ProtocolException.class, () -> TensorHeader.read(dtype, "batch")).field());
        ObjectNode big = ok.deepCopy();
        ((ObjectNode) big.get("x")).putArray("shape").add(65536).add(65536);
        assertEquals("batch.x.shape", assertThrows(ProtocolException.class, () -> TensorHeader.read(big, "batch")).field());
        ObjectNode order = ok.deepCopy().put("byteOrder", "big");
        assertEquals("batch.byteOrder", assertThrows(ProtocolException.class, () -> TensorHeader.read(order, "batch")).field());
    }

    @Test
    void jobResult_payloadSizeWrong_namesTheSizes() {
        BatchShapes t = new BatchShapes(new int[] {1, 1, 1}, new int[] {1, 1, 1});
        ObjectNode h = TensorHeader.write(Frame.newHeader(), t);
        Frame forged = Frame.of(MessageType.JOB_RESULT, 4, h, Unpooled.buffer(12).writeZero(12));
        try {
            ProtocolException e = assertThrows(ProtocolException.class, () -> JobResult.decode(forged));
            assertEquals("jobResult.payload", e.field());
            assertTrue(e.getMessage().contains("= 8 bytes"), e.getMessage());
        } finally {
            forged.release();
        }
        assertThrows(IllegalArgumentException.class, () -> new JobResult(t).toFrame(1, Unpooled.buffer(4).writeZero(4)));
    }

    @Test
    void jobMessage_roundTripsEqual() {
        BatchSpec spec = new BatchSpec(List.of(new ItemSpec("r", "r.h5", "/signal", 0, 7680, ChannelSelection.all(),
                "/labels", 0, 1, 0)));
        JobMessage job = new JobMessage("train", "/data", MaterializeOptions.defaults().withNormalize(true), spec);
        assertEquals(job, decoded(job.toFrame(11, io.netty.buffer.ByteBufAllocator.DEFAULT), JobMessage::decode));
        ObjectNode bad = job.toHeader().put("dataset", 3);
        Frame frame = Frame.of(MessageType.JOB, 1, bad);
        try {
            assertEquals("job.dataset", assertThrows(ProtocolException.class, () -> JobMessage.decode(frame)).field());
        } finally {
            frame.release();
        }
    }

    @Test
    void cancelGoodbyeHello_roundTrip() {
        assertEquals(new Cancel("timeout"), decoded(new Cancel("timeout").toFrame(3), Cancel::decode));
        assertEquals(new Cancel(null), decoded(new Cancel(null).toFrame(3), Cancel::decode));
        assertEquals(new Goodbye("bye"), decoded(new Goodbye("bye").toFrame(), Goodbye::decode));
        Hello hello = Hello.worker("w", "t", 3);
        assertEquals(hello, decoded(hello.toFrame(), Hello::decode));
        Welcome welcome = new Welcome("v", java.time.Duration.ofSeconds(5), 1 << 20);
        assertEquals(welcome, decoded(welcome.toFrame(0), Welcome::decode));
        assertInstanceOf(ProtocolException.class, assertThrows(ProtocolException.class,
                () -> decoded(new Goodbye(null).toFrame(), Cancel::decode)));
    }

    @Test
    void errorCodes_includeDaemonOnlyCodes() {
        assertTrue(ErrorFrames.CODES.containsAll(List.of("not_running", "failed", "bad_request", "protocol")));
    }
}
