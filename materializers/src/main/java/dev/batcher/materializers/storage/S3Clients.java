package dev.batcher.materializers.storage;

import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the SDK client an {@link S3Store} uses from its {@link S3Store.Options}. */
final class S3Clients {
    private S3Clients() {
    }

    /**
     * Creates a client.
     *
     * @param options how to reach the store
     * @param requests counts every HTTP attempt
     * @param throttled counts responses that asked to slow down (503)
     */
    static S3Client build(S3Store.Options options, LongAdder requests, LongAdder throttled) {
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(options.timeout())
                        .socketTimeout(options.timeout()))
                .forcePathStyle(options.pathStyle())
                // Plain ranged GETs and PUTs that any S3-compatible store understands.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(options.attempts()).build())
                        .apiCallAttemptTimeout(options.timeout().multipliedBy(2))
                        .addExecutionInterceptor(new Counting(requests, throttled)))
                .region(region(options))
                .credentialsProvider(options.credentials() != null ? options.credentials()
                        : DefaultCredentialsProvider.builder().build());
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b.build();
    }

    private static Region region(S3Store.Options options) {
        if (options.region() != null) {
            return Region.of(options.region());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1; // as the AWS CLI does when nothing names a region
        }
    }

    /** Counts every HTTP attempt, so retries by the SDK show in the request rate. */
    private static final class Counting implements ExecutionInterceptor {
        private final LongAdder requests;
        private final LongAdder throttled;

        Counting(LongAdder requests, LongAdder throttled) {
            this.requests = requests;
            this.throttled = throttled;
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            requests.increment();
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (context.httpResponse().statusCode() == 503) {
                throttled.increment();
            }
        }
    }
}
