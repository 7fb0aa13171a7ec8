package dev.batcher.materializers.onda;

import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.DictionaryUtility;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Arrow IPC table held in memory, in either the file format ({@code ARROW1} magic, as
 * Legolas writes to a path) or the stream format (as Legolas writes to a buffer or S3), one record
 * batch at a time.
 *
 * <p>It parses the message framing itself and copies each message body into an Arrow buffer with
 * {@link ArrowBuf#setBytes}, instead of letting Arrow's channel readers fill buffers through
 * {@code ByteBuffer} views of native memory: those need {@code --add-opens=java.base/java.nio=ALL-UNNAMED}
 * on JDK 17+, this needs no JVM flag. Dictionary-encoded columns are decoded ({@link #column}).
 * Compressed bodies (Arrow IPC LZ4/ZSTD buffer compression) are refused.
 */
final class ArrowIpcReader implements AutoCloseable {
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    private static final int CONTINUATION = 0xFFFFFFFF;

    private final byte[] bytes;
    private final String name;
    private final BufferAllocator allocator;
    private final int end;
    private int position;
    private final Schema schema;
    private final VectorSchemaRoot root;
    private final Map<Long, Dictionary> dictionaries = new HashMap<>();
    private final List<FieldVector> decoded = new ArrayList<>();
    private int batches;

    /**
     * Parses the framing and the schema.
     *
     * @param bytes the whole table file
     * @param name the table, for messages
     * @param allocator where vectors live
     * @throws OndaException if the bytes are not an Arrow IPC file or stream, or the schema is unreadable
     */
    ArrowIpcReader(byte[] bytes, String name, BufferAllocator allocator) {
        this.bytes = bytes;
        this.name = name;
        this.allocator = allocator;
        if (startsWithMagic()) {
            if (bytes.length < 2 * 8 + 4 || !endsWithMagic()) {
                throw bad("format", "the ARROW1 magic at the start but not at the end of its " + bytes.length
                        + " bytes", "a complete Arrow IPC file (truncated?)");
            }
            int footer = intAt(bytes.length - MAGIC.length - 4);
            long streamEnd = (long) bytes.length - MAGIC.length - 4 - footer;
            if (footer <= 0 || streamEnd < 8) {
                throw bad("footer length", Integer.toString(footer), "1.." + (bytes.length - 18));
            }
            position = 8;
            end = (int) streamEnd;
        } else {
            position = 0;
            end = bytes.length;
        }
        Message first;
        try {
            first = nextMessage();
        } catch (OndaException e) {
            if (position > 8 || startsWithMagic()) {
                throw e;
            }
            throw bad("format", "neither the ARROW1 magic nor an Arrow message at its start ("
                    + e.getMessage().substring(name.length() + 2) + ")", "an Arrow IPC file or stream, as Legolas.write writes");
        }
        if (first == null || first.headerType() != MessageHeader.Schema) {
            throw bad("first message", first == null ? "none" : MessageHeader.name(first.headerType()),
                    "a Schema message: an Arrow IPC file or stream, as Legolas.write writes");
        }
        Schema written = MessageSerializer.deserializeSchema(first);
        this.schema = written;
        List<Field> fields = new ArrayList<>();
        for (Field f : written.getFields()) {
            fields.add(DictionaryUtility.toMemoryFormat(f, allocator, dictionaries));
        }
        this.root = VectorSchemaRoot.create(new Schema(fields, written.getCustomMetadata()), allocator);
    }

    /** Returns the schema as written (dictionary-encoded columns with their value types). */
    Schema schema() {
        return schema;
    }

    /**
     * Loads the next record batch, reading any dictionary batches before it.
     *
     * @return false at the end of the table
     * @throws OndaException if a message is malformed or truncated, compressed, or a delta dictionary
     */
    boolean next() {
        closeDecoded();
        for (Message m = nextMessage(); m != null; m = nextMessage()) {
            byte type = m.headerType();
            if (type != MessageHeader.RecordBatch && type != MessageHeader.DictionaryBatch) {
                throw bad("message " + (batches + 1), MessageHeader.name(type), "a RecordBatch or DictionaryBatch");
            }
            // MessageSerializer.deserializeRecordBatch takes the body over (it releases it).
            ArrowBuf body = body(m);
            try {
                if (type == MessageHeader.RecordBatch) {
                    RecordBatch fb = (RecordBatch) m.header(new RecordBatch());
                    try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(fb, body)) {
                        checkUncompressed(batch);
                        new VectorLoader(root).load(batch);
                    }
                    batches++;
                    return true;
                }
                loadDictionary((DictionaryBatch) m.header(new DictionaryBatch()), body);
            } catch (OndaException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw bad("record batch " + (batches + 1), e.toString(), "a readable Arrow record batch");
            }
        }
        return false;
    }

    private void loadDictionary(DictionaryBatch fb, ArrowBuf body) throws IOException {
        Dictionary dictionary = dictionaries.get(fb.id());
        if (dictionary == null || fb.isDelta()) {
            body.close();
        }
        if (dictionary == null) {
            throw bad("dictionary id", Long.toString(fb.id()), "one of the schema's dictionaries " + dictionaries.keySet());
        }
        if (fb.isDelta()) {
            throw bad("dictionary " + fb.id(), "a delta dictionary batch", "whole dictionaries (as Arrow.jl writes them)");
        }
        try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(fb.data(), body)) {
            checkUncompressed(batch);
            FieldVector vector = dictionary.getVector();
            VectorSchemaRoot one = new VectorSchemaRoot(List.of(vector.getField()), List.of(vector), 0);
            new VectorLoader(one).load(batch);
        }
    }

    private void checkUncompressed(ArrowRecordBatch batch) {
        if (batch.getBodyCompression().getCodec() != CompressionUtil.CodecType.NO_COMPRESSION.getType()) {
            throw bad("compression", CompressionUtil.CodecType.fromCompressionType(batch.getBodyCompression().getCodec()).name(),
                    "uncompressed record batches (Legolas.write's default; write the table without compress=)");
        }
    }

    /** Returns the row count of the loaded batch. */
    int rows() {
        return root.getRowCount();
    }

    /** Returns the number of the loaded batch, from 1. */
    int batch() {
        return batches;
    }

    /**
     * Returns a column of the loaded batch, dictionary-decoded if it is encoded; valid until the next
     * {@link #next()}.
     *
     * @param column the column's name
     * @return the vector, or null if the table has no such column
     */
    FieldVector column(String column) {
        FieldVector v = root.getVector(column);
        if (v == null) {
            return null;
        }
        var encoding = v.getField().getDictionary();
        if (encoding == null) {
            return v;
        }
        FieldVector values = (FieldVector) DictionaryEncoder.decode(v, dictionaries.get(encoding.getId()), allocator);
        decoded.add(values);
        return values;
    }

    /** Returns the table's custom metadata (never null). */
    Map<String, String> metadata() {
        Map<String, String> m = schema.getCustomMetadata();
        return m == null ? Map.of() : m;
    }

    private Message nextMessage() {
        if (position + 4 > end) {
            return null; // the end of a stream without an end-of-stream marker
        }
        int length = intAt(position);
        position += 4;
        if (length == CONTINUATION) {
            if (position + 4 > end) {
                throw bad("message at byte " + (position - 4), "a continuation marker without a length", "a complete table (truncated?)");
            }
            length = intAt(position);
            position += 4;
        }
        if (length == 0) {
            return null; // end-of-stream marker
        }
        if (length < 0 || (long) position + length > end) {
            throw bad("message at byte " + (position - 4), "metadata length " + length + " with " + (end - position)
                    + " bytes left", "a complete table (truncated?)");
        }
        ByteBuffer metadata = ByteBuffer.wrap(bytes, position, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        position += length;
        try {
            return Message.getRootAsMessage(metadata);
        } catch (RuntimeException e) {
            throw bad("message at byte " + (position - length), e.toString(), "an Arrow flatbuffer message");
        }
    }

    private ArrowBuf body(Message m) {
        long length = m.bodyLength();
        if (length < 0 || position + length > end) {
            throw bad("message body at byte " + position, length + " bytes with " + (end - position) + " left",
                    "a complete table (truncated?)");
        }
        ArrowBuf body = allocator.buffer(length);
        body.setBytes(0, bytes, position, length);
        position += (int) length;
        return body;
    }

    private boolean startsWithMagic() {
        if (bytes.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean endsWithMagic() {
        int from = bytes.length - MAGIC.length;
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[from + i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private int intAt(int at) {
        return ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private OndaException bad(String field, String value, String expected) {
        return new OndaException(name, field + ": " + value + " (expected: " + expected + ")", null);
    }

    private void closeDecoded() {
        decoded.forEach(FieldVector::close);
        decoded.clear();
    }

    @Override
    public void close() {
        closeDecoded();
        root.close();
        dictionaries.values().forEach(d -> d.getVector().close());
    }
}
