package dev.batcher.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.api.BatchState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Decoding BATCH frames: views without copies, consolidation of fragments, validation, release. */
@ExtendWith(LeakCheck.class)
class RemoteBatchTest {
    private static final BatchState STATE = new BatchState(1, 7);

    /** A BATCH header for x [2, 3] and y [2, 1] at {@link #STATE}. */
    private static ObjectNode header() {
        ObjectNode header = Frame.newHeader();
        header.put("state", STATE.next().toString());
        header.put("previous", STATE.toString());
        header.put("byteOrder", "little");
        ObjectNode x = header.putObject("x");
        x.put("dtype", "float32");
        x.putArray("shape").add(2).add(3);
        ObjectNode y = header.putObject("y");
        y.put("dtype", "int32");
        y.putArray("shape").add(2).add(1);
        return header;
    }

    /** 6 floats 0.5, 1.5, ... then 2 ints 10, 11, little-endian, in a direct buffer. */
    private static ByteBuf payload() {
        ByteBuf buf = Unpooled.directBuffer(32);
        for (int i = 0; i < 6; i++) {
            buf.writeFloatLE(i + 0.5f);
        }
        return buf.writeIntLE(10).writeIntLE(11);
    }

    private static void assertValues(RemoteBatch batch) {
        FloatBuffer x = batch.x();
        IntBuffer y = batch.y();
        assertEquals(6, x.remaining());
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 0.5f, x.get(i));
        }
        assertEquals(2, y.remaining());
        assertEquals(10, y.get(0));
        assertEquals(11, y.get(1));
    }

    @Test
    void decode_singleBuffer_viewsThePayloadInPlace() {
        ByteBuf payload = payload();
        Frame frame = Frame.of(MessageType.BATCH, 3, header(), payload);
        RemoteBatch batch = RemoteBatch.decode(frame, STATE);
        assertEquals(0, frame.refCnt(), "the frame is released");
        assertEquals(1, payload.refCnt(), "the batch holds one reference");
        assertFalse(batch.consolidated());
        assertArrayEquals(new int[] {2, 3}, batch.xShape());
        assertArrayEquals(new int[] {2, 1}, batch.yShape());
        assertEquals(STATE.next(), batch.state());
        assertEquals(STATE, batch.previous());
        assertValues(batch);
        // No copy: a change to the received bytes shows through the views.
        payload.setFloatLE(4, 42f);
        payload.setIntLE(28, -1);
        assertEquals(42f, batch.x().get(1));
        assertEquals(-1, batch.y().get(1));
        FloatBuffer x = batch.x();
        assertTrue(x.isReadOnly());
        assertTrue(x.isDirect());
        assertEquals(ByteOrder.LITTLE_ENDIAN, x.order());
        assertThrows(ReadOnlyBufferException.class, () -> x.put(0, 1f));
        assertThrows(ReadOnlyBufferException.class, () -> batch.y().put(0, 1));
        batch.xShape()[0] = 99;
        assertEquals(2, batch.xShape()[0], "shapes are copies");
        batch.close();
        assertEquals(0, payload.refCnt());
        batch.close();
        assertEquals(0, payload.refCnt());
        assertEquals("batch at seed=1,batch=7 is closed",
                assertThrows(IllegalStateException.class, batch::x).getMessage());
        assertThrows(IllegalStateException.class, batch::y);
    }

    @Test
    void decode_compositePayload_copiesOnceIntoOneBufferAndReleasesTheFragments() {
        ByteBuf whole = payload();
        ByteBuf first = Unpooled.directBuffer(13).writeBytes(whole, 0, 13);
        ByteBuf second = Unpooled.directBuffer(19).writeBytes(whole, 13, 19);
        whole.release();
        CompositeByteBuf composite = Unpooled.compositeBuffer().addComponents(true, first, second);
        assertEquals(2, composite.nioBufferCount());
        RemoteBatch batch = RemoteBatch.decode(Frame.of(MessageType.BATCH, 3, header(), composite), STATE);
        assertTrue(batch.consolidated());
        assertEquals(0, composite.refCnt());
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
        assertEquals(1, batch.payload().nioBufferCount());
        assertTrue(batch.payload().isDirect());
        assertValues(batch);
        batch.close();
        assertEquals(0, batch.payload().refCnt());
    }

    @Test
    void decode_emptyTensors_giveEmptyViews() {
        ObjectNode header = header();
        ((ObjectNode) header.get("x")).putArray("shape").add(0).add(3);
        ((ObjectNode) header.get("y")).putArray("shape").add(0);
        try (RemoteBatch batch = RemoteBatch.decode(Frame.of(MessageType.BATCH, 1, header), STATE)) {
            assertEquals(0, batch.x().remaining());
            assertEquals(0, batch.y().remaining());
        }
    }

    private static void assertRejected(Consumer<ObjectNode> change, ByteBuf payload, String message) {
        ObjectNode header = header();
        change.accept(header);
        Frame frame = Frame.of(MessageType.BATCH, 5, header, payload);
        ProtocolException e = assertThrows(ProtocolException.class, () -> RemoteBatch.decode(frame, STATE));
        assertEquals(message, e.getMessage());
        assertEquals(0, frame.refCnt(), "the frame is released");
        assertEquals(0, payload.refCnt(), "the payload is released");
    }

    @Test
    void decode_payloadSizeNotTheShapes_throwsNamingSizeShapesAndExpectedBytes() {
        assertRejected(h -> { }, payload().writeByte(0), "batch.payload: 33 bytes (expected: 4 × (6 "
                + "elements of x.shape [2, 3] + 2 elements of y.shape [2, 1]) = 32 bytes)");
    }

    @Test
    void decode_malformedHeader_throwsNamingTheField() {
        assertRejected(h -> h.remove("state"), payload(),
                "batch.state: absent (expected: a state in text form, such as \"seed=1,batch=8\")");
        assertRejected(h -> h.put("state", "batch 8"), payload(),
                "batch.state: \"batch 8\" (expected: a state in text form, such as \"seed=1,batch=8\")");
        assertRejected(h -> h.put("previous", "seed=1,batch=6"), payload(),
                "batch.previous: seed=1,batch=6 (expected: seed=1,batch=7, the state the take asked for)");
        assertRejected(h -> h.put("byteOrder", "big"), payload(),
                "batch.byteOrder: \"big\" (expected: \"little\")");
        assertRejected(h -> ((ObjectNode) h.get("x")).put("dtype", "float64"), payload(),
                "batch.x.dtype: \"float64\" (expected: \"float32\")");
        assertRejected(h -> h.remove("y"), payload(),
                "batch.y: absent (expected: {\"dtype\": \"int32\", \"shape\": [...]})");
        assertRejected(h -> ((ObjectNode) h.get("x")).putArray("shape").add(2).add(-3), payload(),
                "batch.x.shape[1]: -3 (expected: an integer in [0, 2147483647])");
        assertRejected(h -> ((ObjectNode) h.get("x")).putArray("shape"), payload(),
                "batch.x.shape: [] (expected: a non-empty array of dimensions, batch first)");
        assertRejected(h -> ((ObjectNode) h.get("x")).putArray("shape").add(65536).add(65536),
                payload(), "batch.x.shape: [65536, 65536] (expected: at most 2147483647 elements)");
    }
}
