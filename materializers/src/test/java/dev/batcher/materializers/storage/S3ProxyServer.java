package dev.batcher.materializers.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A real S3 API server on loopback for tests: S3Proxy over a jclouds filesystem backend in a private
 * directory, on an ephemeral port, with signed (v2 or v4) requests required.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The access key the server accepts. */
    public static final String ACCESS_KEY = "batcher-test-access";
    /** The secret the server accepts; tests check it never shows in logs, errors, status or metrics. */
    public static final String SECRET = "SeCrEt-9f2c1e7a-never-log-me";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    /**
     * Starts a server storing objects under {@code dir}.
     *
     * @param dir the backend directory (buckets are its subdirectories)
     * @throws Exception if it does not start
     */
    public S3ProxyServer(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("id", "cred")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET).build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Returns the backend, for creating buckets. */
    public BlobStore blobStore() {
        return context.getBlobStore();
    }

    /** Creates a bucket. */
    public void createBucket(String bucket) {
        blobStore().createContainerInLocation(null, bucket);
    }

    /** Returns the endpoint, {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Returns store options for this server (path style, its credentials), with another endpoint if given. */
    public S3Store.Options options(URI endpoint) {
        return S3Store.Options.fromEnvironment().withEndpoint(endpoint).withPathStyle(true).withRegion("us-east-1")
                .withCredentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
                .withTimeout(Duration.ofSeconds(5));
    }

    /** Returns store options for this server. */
    public S3Store.Options options() {
        return options(endpoint());
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
