package dev.batcher.client.protocol;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of a {@link BatchSpec}: the payload of a {@code JOB} frame. A batch names a few
 * recordings many times over, so every string is written once, in a table, and items refer to it by
 * index. All integers are big-endian; {@code u32} values are non-negative {@code int}s.
 *
 * <pre>
 * +-----------+-------------+----------------------------------+-----------+---------------+
 * | version   | strings: n  | n x string                       | items: m  | m x item      |
 * | u8 (= 1)  | u32         | length u32, UTF-8 bytes          | u32       | 52 + 4k bytes |
 * +-----------+-------------+----------------------------------+-----------+---------------+
 *
 * item:
 * +-----------+------+--------+-------------+-------------+----------+--------------+
 * | recording | file | signal | sampleStart | sampleCount | selector | arguments: k |
 * | u32       | u32  | u32    | i64         | i32         | u32      | u32          |
 * +-----------+------+--------+-------------+-------------+----------+--------------+
 * +--------------+--------+------------+------------+-----------+
 * | k x argument | labels | labelStart | labelCount | labelSkip |
 * | u32          | u32    | i64        | i32        | i32       |
 * +--------------+--------+------------+------------+-----------+
 * </pre>
 *
 * String fields hold indexes into the table. The reader checks every count against the bytes left,
 * every index against the table, the UTF-8, the item's own rules ({@link ItemSpec}) and that nothing
 * follows the last item; a payload that breaks one fails with a {@link ProtocolException} naming the
 * field.
 */
final class SpecPayload {
    /** The version byte this code writes and reads. */
    static final int VERSION = 1;
    /** Bytes of an item without its channel arguments. */
    private static final int ITEM_BYTES = 4 * 3 + 8 + 4 + 4 + 4 + 4 + 8 + 4 + 4;

    private SpecPayload() {}

    /**
     * Writes {@code spec} to {@code out}.
     *
     * @param spec the batch
     * @param out the buffer written at its writer index
     */
    static void write(BatchSpec spec, ByteBuf out) {
        Map<String, Integer> indexes = new HashMap<>();
        List<String> table = new ArrayList<>();
        List<ItemSpec> items = spec.items();
        int[] refs = new int[items.size() * 5];
        int r = 0;
        for (ItemSpec item : items) {
            refs[r++] = index(item.recording(), indexes, table);
            refs[r++] = index(item.file(), indexes, table);
            refs[r++] = index(item.signal(), indexes, table);
            refs[r++] = index(item.channels().selector(), indexes, table);
            refs[r++] = index(item.labels(), indexes, table);
            for (String argument : item.channels().arguments()) {
                index(argument, indexes, table);
            }
        }
        out.writeByte(VERSION);
        out.writeInt(table.size());
        for (String s : table) {
            int lengthAt = out.writerIndex();
            out.writeInt(0);
            int length = out.writeCharSequence(s, StandardCharsets.UTF_8);
            out.setInt(lengthAt, length);
        }
        out.writeInt(items.size());
        r = 0;
        for (ItemSpec item : items) {
            out.writeInt(refs[r++]);
            out.writeInt(refs[r++]);
            out.writeInt(refs[r++]);
            out.writeLong(item.sampleStart());
            out.writeInt(item.sampleCount());
            out.writeInt(refs[r++]);
            List<String> arguments = item.channels().arguments();
            out.writeInt(arguments.size());
            for (String argument : arguments) {
                out.writeInt(indexes.get(argument));
            }
            out.writeInt(refs[r++]);
            out.writeLong(item.labelStart());
            out.writeInt(item.labelCount());
            out.writeInt(item.labelSkip());
        }
    }

    private static int index(String s, Map<String, Integer> indexes, List<String> table) {
        Integer i = indexes.get(s);
        if (i == null) {
            i = table.size();
            indexes.put(s, i);
            table.add(s);
        }
        return i;
    }

    /**
     * Reads a spec from the readable bytes of {@code in}, all of them, without changing its indexes.
     * Items of one payload share their strings' instances.
     *
     * @param in the payload
     * @return the batch
     * @throws ProtocolException naming the first bad field, under {@code job.spec}
     */
    static BatchSpec read(ByteBuf in) {
        Reader reader = new Reader(in.duplicate());
        return reader.spec();
    }

    /** One read: the buffer's cursor and the string table. */
    private static final class Reader {
        private final ByteBuf in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private String[] table;

        Reader(ByteBuf in) {
            this.in = in;
        }

        BatchSpec spec() {
            need(1, "job.spec.version");
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new ProtocolException("job.spec.version", version, Integer.toString(VERSION));
            }
            int strings = count("job.spec.strings", 4);
            table = new String[strings];
            for (int i = 0; i < strings; i++) {
                String field = "job.spec.strings[" + i + "]";
                int length = count(field + ".length", 1);
                try {
                    ByteBuffer bytes = in.nioBuffer(in.readerIndex(), length);
                    table[i] = utf8.reset().decode(bytes).toString();
                } catch (CharacterCodingException e) {
                    throw new ProtocolException(field, "malformed UTF-8 (" + e + ")", "UTF-8 text");
                }
                in.skipBytes(length);
            }
            int n = count("job.spec.items", ITEM_BYTES);
            if (n == 0) {
                throw new ProtocolException("job.spec.items", 0, "at least one item");
            }
            List<ItemSpec> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(item("job.spec.items[" + i + "]"));
            }
            if (in.isReadable()) {
                throw new ProtocolException("job.spec", in.readableBytes() + " bytes after the last item",
                        "nothing after the items");
            }
            return new BatchSpec(items);
        }

        private ItemSpec item(String field) {
            need(ITEM_BYTES, field);
            String recording = string(field + ".recording");
            String file = string(field + ".file");
            String signal = string(field + ".signal");
            long sampleStart = in.readLong();
            int sampleCount = in.readInt();
            String selector = string(field + ".channels.selector");
            int k = count(field + ".channels.arguments", 4);
            List<String> arguments = new ArrayList<>(k);
            for (int a = 0; a < k; a++) {
                arguments.add(string(field + ".channels.arguments[" + a + "]"));
            }
            need(4 + 8 + 4 + 4, field);
            String labels = string(field + ".labels");
            long labelStart = in.readLong();
            int labelCount = in.readInt();
            int labelSkip = in.readInt();
            try {
                return new ItemSpec(recording, file, signal, sampleStart, sampleCount,
                        new ChannelSelection(selector, arguments), labels, labelStart, labelCount, labelSkip);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(field, e.getMessage(), "a valid item");
            }
        }

        private String string(String field) {
            int i = in.readInt();
            if (i < 0 || i >= table.length) {
                throw new ProtocolException(field, i, "a string index in [0, " + table.length + ")");
            }
            return table[i];
        }

        /** Reads a u32 count of elements of at least {@code each} bytes, checked against the bytes left. */
        private int count(String field, int each) {
            need(4, field);
            int n = in.readInt();
            if (n < 0 || (long) n * each > in.readableBytes()) {
                throw new ProtocolException(field, Integer.toUnsignedString(n),
                        "<= " + in.readableBytes() / each + ", what the " + in.readableBytes() + " bytes left can hold");
            }
            return n;
        }

        private void need(int bytes, String field) {
            if (in.readableBytes() < bytes) {
                throw new ProtocolException(field, "the payload ends " + (bytes - in.readableBytes())
                        + " bytes short", bytes + " more bytes");
            }
        }
    }
}
