package dev.batcher.materializers.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes at positions: a local file or an object in a bucket. Implementations are thread-safe and
 * keep no position: every read says where.
 */
public interface ByteSource {
    /**
     * Fills {@code dst} from its position to its limit with the bytes starting at {@code position}.
     *
     * @param dst the caller's buffer; on return its position equals its limit
     * @param position where the bytes start
     * @throws EOFException if the source ends before {@code dst} is full
     * @throws IOException if the read fails (for files, including a channel closed by an interrupt)
     * @throws StorageException for objects: missing, forbidden, changed, or transient failures that
     *     outlasted the retries
     */
    void readFully(ByteBuffer dst, long position) throws IOException;

    /** Returns what to call this source in messages: a path or {@code s3://bucket/key}. */
    String describe();

    /**
     * Returns a source reading a file channel with positional reads (the channel keeps no position).
     *
     * @param channel the channel, not closed by the source
     * @param name what to call it in messages
     * @return the source
     */
    static ByteSource of(FileChannel channel, String name) {
        return new ByteSource() {
            @Override
            public void readFully(ByteBuffer dst, long position) throws IOException {
                long from = position;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position);
                    if (n < 0) {
                        throw new EOFException("Trying to read more bytes than available: the file ends at byte "
                                + channel.size() + " (file bytes [" + from + ", " + (from + dst.limit()) + "))");
                    }
                    position += n;
                }
            }

            @Override
            public String describe() {
                return name;
            }
        };
    }
}
