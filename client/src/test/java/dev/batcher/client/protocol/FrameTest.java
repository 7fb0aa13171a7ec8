package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class FrameTest {
    @Test
    void of_headerNotObject_throwsAndReleasesPayload() {
        ByteBuf payload = Unpooled.buffer(4).writeInt(1);
        assertThrows(IllegalArgumentException.class, () -> Frame.of(MessageType.JOB, 1,
                JsonNodeFactory.instance.arrayNode(), payload));
        assertEquals(0, payload.refCnt());
    }

    @Test
    void of_nullHeader_givesEmptyObject() {
        Frame frame = Frame.of(MessageType.PING, 1, null);
        assertTrue(frame.header().isObject());
        assertTrue(frame.release());
    }

    @Test
    void release_lastReference_releasesPayload() {
        ByteBuf payload = Unpooled.buffer(4).writeInt(1);
        Frame frame = Frame.of(MessageType.JOB_RESULT, 1, null, payload).retain();
        assertFalse(frame.release());
        assertEquals(1, payload.refCnt());
        assertTrue(frame.release());
        assertEquals(0, payload.refCnt());
    }

    @Test
    void relay_sharesPayloadBytesAndCountsReferences() {
        ByteBuf payload = Unpooled.directBuffer(8).writeLong(7);
        Frame result = Frame.of(MessageType.JOB_RESULT, 3, null, payload);
        Frame batch = result.relay(MessageType.BATCH, 11, Frame.newHeader().put("index", 0));

        result.release();
        payload.setLong(0, 8);

        assertEquals(MessageType.BATCH, batch.type());
        assertEquals(11, batch.id());
        assertEquals(8, batch.payload().getLong(batch.payload().readerIndex()));
        assertEquals(1, payload.refCnt());
        batch.release();
        assertEquals(0, payload.refCnt());
    }

    @Test
    void toString_helloWithToken_redactsToken() {
        Frame hello = Frame.of(MessageType.HELLO, 0, Hello.client("trainer", "s3cret").toHeader());
        String text = hello.toString();
        assertFalse(text.contains("s3cret"), text);
        assertTrue(text.contains("<redacted>"), text);
        assertFalse(Hello.client("trainer", "s3cret").toString().contains("s3cret"));
        hello.release();
        assertTrue(hello.toString().contains("released"));
    }

    @Test
    void fromCode_everyType_roundTrips() {
        for (MessageType type : MessageType.values()) {
            assertEquals(type, MessageType.fromCode(type.code()));
        }
        assertEquals("type", assertThrows(ProtocolException.class, () -> MessageType.fromCode(0xEE))
                .field());
    }
}
