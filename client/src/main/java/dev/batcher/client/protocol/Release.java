package dev.batcher.client.protocol;

/**
 * A {@code RELEASE} frame (client to daemon): the client has closed the batch that the {@code BATCH}
 * answering its {@code take} with this id placed in a shared-memory slot, so the daemon may reuse the
 * slot. Empty header, no payload, no answer. A release of an id that holds no slot is ignored.
 */
public final class Release {
    private Release() {
    }

    /**
     * Encodes a release.
     *
     * @param takeId the id of the {@code take} whose batch is closed
     * @return a frame with a reference count of 1
     */
    public static Frame toFrame(long takeId) {
        return Frame.of(MessageType.RELEASE, takeId);
    }
}
