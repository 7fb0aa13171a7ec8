package dev.batcher.materializers.storage;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The GETs of an {@link S3Store} that move object bytes: each checks the byte count it got and reads
 * again, with a short jittered backoff, after a body cut short or reset part-way, up to the store's
 * attempts in all. See {@link S3Store} for the contract of each.
 */
final class S3Transfers {
    private final S3Client client;
    private final int attempts;
    private final LongAdder bytesFetched;
    private final LongAdder retries;

    S3Transfers(S3Client client, int attempts, LongAdder bytesFetched, LongAdder retries) {
        this.client = client;
        this.attempts = attempts;
        this.bytesFetched = bytesFetched;
        this.retries = retries;
    }

    /** See {@link S3Store#read}. */
    void read(String bucket, String key, String etag, ByteBuffer dst, long position) throws EOFException {
        int want = dst.remaining();
        if (want == 0) {
            return;
        }
        int start = dst.position();
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key)
                .range("bytes=" + position + "-" + (position + want - 1));
        if (etag != null) {
            request.ifMatch(etag);
        }
        GetObjectRequest get = request.build();
        for (int attempt = 1; ; attempt++) {
            dst.position(start);
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(get)) {
                long length = in.response().contentLength() == null ? -1 : in.response().contentLength();
                if (length >= 0 && length < want) {
                    throw new EOFException("s3://" + bucket + "/" + key + ": the object ends inside bytes ["
                            + position + ", " + (position + want) + ") (" + length + " bytes of the range exist)");
                }
                int got = readInto(in, dst);
                if (got == want) {
                    return;
                }
                retryOrFail(attempt, bucket, key, "a body of " + got + " bytes (expected: " + want
                        + ", the range asked for)", null);
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    throw new EOFException("s3://" + bucket + "/" + key + ": bytes [" + position + ", "
                            + (position + want) + ") lie beyond the end of the object");
                }
                throw S3Failures.translate(e, bucket, key);
            } catch (SdkException e) {
                throw S3Failures.translate(e, bucket, key);
            } catch (EOFException e) {
                throw e;
            } catch (IOException | UncheckedIOException e) {
                retryOrFail(attempt, bucket, key, "a body cut off: " + e, e);
            }
        }
    }

    private int readInto(InputStream in, ByteBuffer dst) throws IOException {
        int got = 0;
        byte[] chunk = dst.hasArray() ? null : new byte[Math.min(dst.remaining(), 64 << 10)];
        while (dst.hasRemaining()) {
            int n;
            if (chunk == null) {
                n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
            } else {
                n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
                if (n > 0) {
                    dst.put(chunk, 0, n);
                }
            }
            if (n < 0) {
                break;
            }
            got += n;
            bytesFetched.add(n);
        }
        return got;
    }

    /** See {@link S3Store#download}. */
    S3Store.ObjectInfo download(String bucket, String key, String etag, Path target) {
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        if (etag != null) {
            request.ifMatch(etag);
        }
        GetObjectRequest get = request.build();
        byte[] chunk = new byte[256 << 10];
        for (int attempt = 1; ; attempt++) {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(get);
                 FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                long length = in.response().contentLength();
                long got = 0;
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    got += n;
                    bytesFetched.add(n);
                }
                if (got == length) {
                    return new S3Store.ObjectInfo(length, in.response().eTag());
                }
                retryOrFail(attempt, bucket, key, "a body of " + got + " bytes (expected: " + length
                        + ", the object's length)", null);
            } catch (SdkException e) {
                throw S3Failures.translate(e, bucket, key);
            } catch (java.nio.file.FileSystemException e) {
                throw new StorageException(StorageException.Reason.FAILED, target.toString(),
                        "not writable (expected: a writable cache directory): " + e, e);
            } catch (IOException | UncheckedIOException e) {
                retryOrFail(attempt, bucket, key, "a body cut off: " + e, e);
            }
        }
    }

    /** See {@link S3Store#readAll}. */
    byte[] readAll(String bucket, String key) {
        for (int attempt = 1; ; attempt++) {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(g -> g.bucket(bucket).key(key))) {
                byte[] bytes = in.readAllBytes();
                bytesFetched.add(bytes.length);
                Long length = in.response().contentLength();
                if (length == null || length == bytes.length) {
                    return bytes;
                }
                retryOrFail(attempt, bucket, key, "a body of " + bytes.length + " bytes (expected: " + length + ")", null);
            } catch (SdkException e) {
                throw S3Failures.translate(e, bucket, key);
            } catch (IOException | UncheckedIOException e) {
                retryOrFail(attempt, bucket, key, "a body cut off: " + e, e);
            }
        }
    }

    private void retryOrFail(int attempt, String bucket, String key, String what, Throwable cause) {
        if (attempt >= attempts) {
            throw new StorageException(StorageException.Reason.UNAVAILABLE, "s3://" + bucket + "/" + key,
                    "read: " + what + " after " + attempt + " attempts (expected: a complete body)", cause);
        }
        retries.increment();
        long backoff = Math.min(2_000, 50L << Math.min(attempt - 1, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageException.Reason.UNAVAILABLE, "s3://" + bucket + "/" + key,
                    "read: interrupted while backing off (expected: not interrupted; the flag is still set)", e);
        }
    }
}
