package dev.batcher.materializers.storage;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns S3 SDK failures into {@link StorageException}s that name the object and status, never credentials. */
final class S3Failures {
    private S3Failures() {
    }

    /** Turns an SDK failure into a message naming the object and status, never the credentials. */
    static StorageException translate(SdkException e, String bucket, String key) {
        String where = "s3://" + bucket + "/" + key;
        if (e instanceof S3Exception s) {
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            String status = "HTTP " + s.statusCode() + (code == null ? "" : " " + code);
            switch (s.statusCode()) {
                case 404:
                    return new StorageException(StorageException.Reason.NOT_FOUND, where,
                            "not found, " + status + " (expected: an existing object; check the bucket, prefix and key)", null);
                case 403:
                    return new StorageException(StorageException.Reason.FORBIDDEN, where,
                            "access denied, " + status + " (expected: credentials allowed to read it; see docs/operations.md)", null);
                case 412:
                    return new StorageException(StorageException.Reason.CHANGED, where,
                            "changed since it was indexed, " + status
                                    + " (expected: the ETag recorded by bin/batcher index; index the dataset again)", null);
                default:
                    return new StorageException(s.statusCode() >= 500 ? StorageException.Reason.UNAVAILABLE
                            : StorageException.Reason.FAILED, where, status + " (expected: a successful response)", null);
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new StorageException(StorageException.Reason.UNAVAILABLE, where,
                "unreachable: " + message.replaceAll("\\s+", " ")
                        + " (expected: a reachable store; check AWS_ENDPOINT_URL and the network)", null);
    }
}
