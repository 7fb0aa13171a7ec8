package dev.batcher.samples.sleep;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.Batcher;
import dev.batcher.api.Taken;
import java.util.Objects;

/**
 * Opens the trainer's batchers on a batcher daemon: each role ({@code train}, {@code valid}) becomes
 * the named batcher {@code <run>-<role>}, created from the trainer's spec (creating an equal spec
 * again is a no-op, so a resumed run attaches to the batchers a daemon still has). The first {@code
 * take} starts the batcher at the state it asks for; closing the batcher stops it on the daemon.
 */
public final class ServiceBatcherFactory implements BatcherFactory {
    private final BatcherClient client;
    private final String run;

    /**
     * Creates the factory.
     *
     * @param client a connected client (not closed by the factory)
     * @param run the run's name, which prefixes the batchers' names
     */
    public ServiceBatcherFactory(BatcherClient client, String run) {
        this.client = Objects.requireNonNull(client, "client");
        this.run = Objects.requireNonNull(run, "run");
    }

    @Override
    public Batcher open(String name, BatcherSpec spec) {
        BatcherHandle handle = client.batcher(run + "-" + name);
        handle.create(spec);
        return new Batcher() {
            private boolean started;

            @Override
            public Taken take(BatchState state) {
                if (!started) {
                    // A no-op if the daemon already runs it; take then resynchronises to the state.
                    handle.start(state);
                    started = true;
                }
                return handle.take(state);
            }

            @Override
            public void close() {
                handle.stop();
                handle.close();
            }
        };
    }
}
