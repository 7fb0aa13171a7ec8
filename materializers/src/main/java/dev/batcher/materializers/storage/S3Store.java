package dev.batcher.materializers.storage;

import java.io.EOFException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads objects from S3 or an S3-compatible store (MinIO, Ceph, S3Proxy) with the AWS SDK for Java v2.
 *
 * <p><b>Configuration</b> comes the standard way: credentials from the SDK's default chain (environment
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, system properties, {@code ~/.aws} profiles,
 * container and instance roles); the region from {@code AWS_REGION} (or the profile; {@code us-east-1}
 * if none says); the endpoint of a compatible store from {@code AWS_ENDPOINT_URL_S3} or
 * {@code AWS_ENDPOINT_URL} (or the system property {@code batcher.s3.endpoint}); path-style addressing
 * when {@code BATCHER_S3_PATH_STYLE} (or the system property {@code batcher.s3.pathStyle}) is
 * {@code true}, and by default when an endpoint is set (virtual-hosted style for AWS itself).
 *
 * <p><b>Failures.</b> The SDK retries, with exponential backoff and jitter, throttling (503 SlowDown),
 * 5xx errors, timeouts and connections reset before a response. A body cut short or reset part-way is
 * retried here, by reading the range again, up to {@link Options#attempts()} times in all; every read
 * checks that it got exactly the bytes asked for. A missing (404) or forbidden (403) object fails at
 * once with a {@link StorageException} naming the bucket and key, not retried. Messages never hold
 * credentials: they name the object, the HTTP status and the store's error code only.
 *
 * <p>Thread-safe; one instance serves any number of concurrent reads.
 */
public final class S3Store implements AutoCloseable {
    /** The environment variable that turns path-style addressing on. */
    public static final String PATH_STYLE_ENV = "BATCHER_S3_PATH_STYLE";
    /** The system property that turns path-style addressing on (wins over the environment). */
    public static final String PATH_STYLE_PROPERTY = "batcher.s3.pathStyle";
    /** The system property naming the endpoint (wins over {@code AWS_ENDPOINT_URL_S3}/{@code AWS_ENDPOINT_URL}). */
    public static final String ENDPOINT_PROPERTY = "batcher.s3.endpoint";

    private final S3Client client;
    private final Options options;
    private final S3Transfers transfers;
    private final LongAdder requests = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();
    private final LongAdder retries = new LongAdder();

    /**
     * How to reach the store.
     *
     * @param endpoint the endpoint, or null for the SDK's choice (AWS, or {@code AWS_ENDPOINT_URL[_S3]})
     * @param region the region, or null for the SDK's default chain (then {@code us-east-1})
     * @param pathStyle whether to address buckets in the path rather than the host name
     * @param credentials the credentials, or null for the SDK's default chain
     * @param attempts tries per read in all, at least 1 (the SDK's retries and ours each use this)
     * @param timeout the limit of one attempt (connect, and each socket read)
     */
    public record Options(URI endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials,
                          int attempts, Duration timeout) {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException if {@code attempts < 1} or the timeout is not positive
         */
        public Options {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 1)");
            }
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
            }
        }

        /**
         * Returns the options the environment gives (see the class description), 6 attempts, 30 s
         * timeouts. The endpoint is the system property {@value #ENDPOINT_PROPERTY}, else
         * {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else the SDK's default.
         *
         * @throws IllegalArgumentException if the endpoint is not a URI
         */
        public static Options fromEnvironment() {
            String style = System.getProperty(PATH_STYLE_PROPERTY, System.getenv(PATH_STYLE_ENV));
            String endpoint = System.getProperty(ENDPOINT_PROPERTY);
            for (String env : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
                if (endpoint == null || endpoint.isBlank()) {
                    endpoint = System.getenv(env);
                }
            }
            URI uri = endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint.trim());
            // As boto3 does: path-style for a custom endpoint (MinIO, Ceph, S3Proxy), unless told otherwise.
            boolean pathStyle = style != null && !style.isBlank() ? style.trim().equalsIgnoreCase("true") : uri != null;
            return new Options(uri, null, pathStyle, null, 6, Duration.ofSeconds(30));
        }

        /** Returns these options with another endpoint. */
        public Options withEndpoint(URI endpoint) {
            return new Options(endpoint, region, pathStyle, credentials, attempts, timeout);
        }

        /** Returns these options with path-style addressing on or off. */
        public Options withPathStyle(boolean on) {
            return new Options(endpoint, region, on, credentials, attempts, timeout);
        }

        /** Returns these options with other credentials. */
        public Options withCredentials(AwsCredentialsProvider provider) {
            return new Options(endpoint, region, pathStyle, provider, attempts, timeout);
        }

        /** Returns these options with another number of attempts. */
        public Options withAttempts(int n) {
            return new Options(endpoint, region, pathStyle, credentials, n, timeout);
        }

        /** Returns these options with another timeout per attempt. */
        public Options withTimeout(Duration t) {
            return new Options(endpoint, region, pathStyle, credentials, attempts, t);
        }

        /** Returns these options with a region. */
        public Options withRegion(String r) {
            return new Options(endpoint, r, pathStyle, credentials, attempts, timeout);
        }

        /** Never shows credentials. */
        @Override
        public String toString() {
            return "S3Store.Options[endpoint=" + (endpoint == null ? "default" : endpoint) + ", region="
                    + (region == null ? "default" : region) + ", pathStyle=" + pathStyle + ", attempts=" + attempts
                    + ", timeout=" + timeout + "]";
        }
    }

    /**
     * What the store says about an object.
     *
     * @param size its length in bytes
     * @param etag its ETag, quotes included as the store gives it
     */
    public record ObjectInfo(long size, String etag) {
    }

    /**
     * Counters since this store was created.
     *
     * @param requests HTTP requests sent, retries included
     * @param throttled responses that asked to slow down (503, SlowDown)
     * @param bytesFetched bytes of object data received
     * @param retries reads tried again after a short or reset body
     */
    public record Counters(long requests, long throttled, long bytesFetched, long retries) {
    }

    /**
     * Creates a client.
     *
     * @param options how to reach the store
     */
    public S3Store(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.client = S3Clients.build(options, requests, throttled);
        this.transfers = new S3Transfers(client, options.attempts(), bytesFetched, retries);
    }

    /** Returns the options, for messages (never holding credentials). */
    public Options options() {
        return options;
    }

    /** Returns the counters so far. */
    public Counters counters() {
        return new Counters(requests.sum(), throttled.sum(), bytesFetched.sum(), retries.sum());
    }

    /**
     * Asks the store for an object's size and ETag.
     *
     * @throws StorageException if it is missing or forbidden (naming bucket and key), or the store fails
     */
    public ObjectInfo head(String bucket, String key) {
        try {
            HeadObjectResponse r = client.headObject(h -> h.bucket(bucket).key(key));
            return new ObjectInfo(r.contentLength(), r.eTag());
        } catch (SdkException e) {
            throw S3Failures.translate(e, bucket, key);
        }
    }

    /**
     * Reads bytes {@code [position, position + dst.remaining())} of an object into {@code dst} with one
     * ranged GET (again after a short or reset body), checking the count.
     *
     * @param bucket the bucket
     * @param key the key
     * @param etag the ETag the object must still have, or null for any
     * @param dst the caller's buffer, filled from its position to its limit
     * @param position the first byte
     * @throws EOFException if the object ends before the range does
     * @throws StorageException if the object is missing, forbidden or changed, or the store keeps failing
     */
    public void read(String bucket, String key, String etag, ByteBuffer dst, long position) throws EOFException {
        transfers.read(bucket, key, etag, dst, position);
    }

    /**
     * Returns the bytes of an object as a {@link ByteSource} of ranged GETs.
     *
     * @param bucket the bucket
     * @param key the key
     * @param etag the ETag every read requires (If-Match), or null for any
     * @return the source
     */
    public ByteSource source(String bucket, String key, String etag) {
        return new ByteSource() {
            @Override
            public void readFully(ByteBuffer dst, long position) throws EOFException {
                read(bucket, key, etag, dst, position);
            }

            @Override
            public String describe() {
                return "s3://" + bucket + "/" + key;
            }
        };
    }

    /**
     * Downloads a whole object into {@code target} (created or truncated), checking the byte count
     * against the object's length, retrying short or reset bodies.
     *
     * @param bucket the bucket
     * @param key the key
     * @param etag the ETag it must have, or null for any
     * @param target the file to write
     * @return the object's size and ETag
     * @throws StorageException if the object is missing, forbidden or changed, the store keeps failing,
     *     or the file cannot be written
     */
    public ObjectInfo download(String bucket, String key, String etag, Path target) {
        return transfers.download(bucket, key, etag, target);
    }

    /**
     * Reads a whole small object (a dataset's table).
     *
     * @throws StorageException if it is missing or forbidden, or the store keeps failing
     */
    public byte[] readAll(String bucket, String key) {
        return transfers.readAll(bucket, key);
    }

    /**
     * Tells whether an object exists.
     *
     * @throws StorageException if the store forbids asking or keeps failing
     */
    public boolean exists(String bucket, String key) {
        try {
            head(bucket, key);
            return true;
        } catch (StorageException e) {
            if (e.getReason() == StorageException.Reason.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Writes a whole object.
     *
     * @throws StorageException if the bucket is missing or forbids writing, or the store keeps failing
     */
    public void write(String bucket, String key, byte[] bytes) {
        try {
            client.putObject(p -> p.bucket(bucket).key(key).contentLength((long) bytes.length),
                    RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw S3Failures.translate(e, bucket, key);
        }
    }

    /**
     * Lists the keys under a prefix with their sizes and ETags, in key order.
     *
     * @param bucket the bucket
     * @param prefix the prefix, without a trailing slash (empty for the whole bucket)
     * @return key (relative to the prefix, without its slash) and object info, in key order
     * @throws StorageException if the bucket is missing or forbidden, or the store keeps failing
     */
    public List<Listed> list(String bucket, String prefix) {
        String p = prefix.isEmpty() ? "" : prefix + "/";
        List<Listed> out = new ArrayList<>();
        try {
            for (S3Object o : client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(p).build())
                    .contents()) {
                out.add(new Listed(o.key().substring(p.length()), new ObjectInfo(o.size(), o.eTag())));
            }
        } catch (SdkException e) {
            throw S3Failures.translate(e, bucket, prefix + "/");
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /**
     * One listed object.
     *
     * @param name its key relative to the listed prefix
     * @param info its size and ETag
     */
    public record Listed(String name, ObjectInfo info) {
    }


    @Override
    public void close() {
        client.close();
    }
}
