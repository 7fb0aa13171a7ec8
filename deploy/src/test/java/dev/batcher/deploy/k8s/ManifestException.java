package dev.batcher.deploy.k8s;

/** A manifest that does not parse strictly into the typed Kubernetes model; the message names the file, document, field and line. */
public final class ManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
        super(message);
    }

    ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
