package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.MaterializeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class SpecPayloadTest {
    private static final BatchSpec SPEC = new BatchSpec(List.of(
            new ItemSpec("night-1", "sub-01/night-1.h5", "/signals/eeg", 7680, 7680, ChannelSelection.all(),
                    "/labels/stage", 1, 1, 0),
            new ItemSpec("night-2", "sub-02/night-2.edf", "/signals/eeg", 3_000_000_000L, 3840,
                    ChannelSelection.names(List.of("C3-M2", "C4-M1", "Fp1 é")), "/labels/stage", 100_000_000_000L, 4, 3),
            new ItemSpec("night-1", "sub-01/night-1.h5", "/signals/eeg", 0, 7680,
                    ChannelSelection.parse("montage:C3-M2"), "/labels/stage", 0, 1, 0)));

    private static ByteBuf written(BatchSpec spec) {
        ByteBuf buf = Unpooled.buffer();
        SpecPayload.write(spec, buf);
        return buf;
    }

    @Test
    void read_written_roundTripsEqualWithSharedStrings() {
        ByteBuf buf = written(SPEC);
        try {
            BatchSpec back = SpecPayload.read(buf);
            assertEquals(SPEC, back);
            assertSame(back.items().get(0).file(), back.items().get(2).file(), "one string instance per table entry");
            assertEquals(0, buf.readerIndex(), "the buffer's indexes are left as they were");
        } finally {
            buf.release();
        }
    }

    @Test
    void write_repeatedStrings_writtenOnce() {
        List<ItemSpec> items = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            items.add(new ItemSpec("a-rather-long-recording-name", "a/rather/long/path/to/the/recording.h5",
                    "/signals/eeg", i * 7680L, 7680, ChannelSelection.all(), "/labels/stage", i, 1, 0));
        }
        ByteBuf buf = written(new BatchSpec(items));
        try {
            // 1 + 4 + five strings + 4 + 32 items of 52 bytes, no arguments
            int strings = 5 * 4 + "a-rather-long-recording-name".length() + "a/rather/long/path/to/the/recording.h5".length()
                    + "/signals/eeg".length() + "all".length() + "/labels/stage".length();
            assertEquals(1 + 4 + strings + 4 + 32 * 52, buf.readableBytes());
        } finally {
            buf.release();
        }
    }

    @Test
    void jobMessage_toFrame_carriesSpecAsPayload() {
        JobMessage job = new JobMessage("train", "/data", MaterializeOptions.defaults(), SPEC,
                new ArenaRef("/dev/shm/a", 2, 4096, 1 << 20));
        Frame frame = job.toFrame(9, UnpooledByteBufAllocator.DEFAULT);
        try {
            assertTrue(frame.payload().isReadable());
            assertTrue(!frame.header().has("spec"), "the spec is not in the header");
            assertEquals(job, JobMessage.decode(frame));
        } finally {
            frame.release();
        }
    }

    @Test
    void read_otherVersion_namesVersion() {
        ByteBuf buf = written(SPEC);
        buf.setByte(0, 2);
        assertEquals("job.spec.version: 2 (expected: 1)", failure(buf).getMessage());
    }

    @Test
    void read_empty_namesVersion() {
        assertEquals("job.spec.version", failure(Unpooled.buffer()).field());
    }

    @Test
    void read_everyTruncation_namesAFieldNeverThrowsOtherwise() {
        ByteBuf whole = written(SPEC);
        try {
            for (int n = 0; n < whole.readableBytes(); n++) {
                ProtocolException e = failure(whole.copy(0, n));
                assertTrue(e.field().startsWith("job.spec"), n + ": " + e.getMessage());
            }
        } finally {
            whole.release();
        }
    }

    @Test
    void read_stringIndexOutOfTable_namesItemField() {
        ByteBuf buf = written(SPEC);
        int firstItem = itemsStart(buf) + 4;
        buf.setInt(firstItem + 4, 99); // item 0's file
        ProtocolException e = failure(buf);
        assertEquals("job.spec.items[0].file", e.field());
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void read_hugeItemCount_refusedBeforeAllocating() {
        ByteBuf buf = written(SPEC);
        buf.setInt(itemsStart(buf), Integer.MAX_VALUE);
        ProtocolException e = failure(buf);
        assertEquals("job.spec.items", e.field());
        assertTrue(e.expected().contains("bytes left"), e.getMessage());
    }

    @Test
    void read_trailingBytes_refused() {
        ByteBuf buf = written(SPEC);
        buf.writeByte(0);
        assertEquals("job.spec: 1 bytes after the last item (expected: nothing after the items)", failure(buf).getMessage());
    }

    @Test
    void read_malformedUtf8_namesString() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(1).writeInt(1).writeInt(2).writeByte(0xC3).writeByte(0x28).writeInt(0);
        ProtocolException e = failure(buf);
        assertEquals("job.spec.strings[0]", e.field());
        assertTrue(e.getMessage().contains("malformed UTF-8"), e.getMessage());
    }

    @Test
    void read_invalidItem_namesItemAndRule() {
        BatchSpec one = new BatchSpec(List.of(SPEC.items().get(0)));
        ByteBuf buf = written(one);
        int item = itemsStart(buf) + 4;
        buf.setInt(item + 12 + 8, 0); // sampleCount
        ProtocolException e = failure(buf);
        assertEquals("job.spec.items[0]", e.field());
        assertTrue(e.getMessage().contains("sampleCount: 0 (expected: > 0)"), e.getMessage());
    }

    @Test
    void read_noItems_refused() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(1).writeInt(0).writeInt(0);
        assertEquals("job.spec.items: 0 (expected: at least one item)", failure(buf).getMessage());
    }

    @Test
    void write_nonAscii_lengthInBytes() {
        BatchSpec spec = new BatchSpec(List.of(new ItemSpec("é", "é.h5", "/s", 0, 1, ChannelSelection.all(), "/l", 0, 1, 0)));
        ByteBuf buf = written(spec);
        try {
            assertEquals("é".getBytes(StandardCharsets.UTF_8).length, buf.getInt(5));
            assertEquals(spec, SpecPayload.read(buf));
        } finally {
            buf.release();
        }
    }

    /** The index of the item count: after the version, the table's count and its strings. */
    private static int itemsStart(ByteBuf buf) {
        int at = 1;
        int strings = buf.getInt(at);
        at += 4;
        for (int i = 0; i < strings; i++) {
            at += 4 + buf.getInt(at);
        }
        return at;
    }

    private static ProtocolException failure(ByteBuf buf) {
        try {
            return assertThrows(ProtocolException.class, () -> SpecPayload.read(buf));
        } finally {
            buf.release();
        }
    }

}
