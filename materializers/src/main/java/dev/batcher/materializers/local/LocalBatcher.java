package dev.batcher.materializers.local;

import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.api.Batcher;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import java.util.Objects;

/**
 * A same-process batcher (OndaBatches' {@code BlockingBatcher}): each {@code take(state)} iterates
 * one step from {@code state} and materialises it in the calling thread. It has exactly the {@code
 * take} semantics of the batcher service and is the ground truth the service is tested against.
 * Thread-safe; it holds no position of its own, so there is nothing to resynchronise.
 */
public final class LocalBatcher implements Batcher {
    private final BatchSource source;
    private final Materializer materializer;
    private final AutoCloseable owned;

    /**
     * Creates a batcher over a source and a materializer that the caller keeps and closes.
     *
     * @param source the batch source
     * @param materializer the materializer
     */
    public LocalBatcher(BatchSource source, Materializer materializer) {
        this(source, materializer, null);
    }

    /**
     * Creates a batcher that closes {@code owned} (for example the open-file cache) when it is closed.
     *
     * @param source the batch source
     * @param materializer the materializer
     * @param owned what to close with the batcher, or null
     */
    public LocalBatcher(BatchSource source, Materializer materializer, AutoCloseable owned) {
        this.source = Objects.requireNonNull(source, "source");
        this.materializer = Objects.requireNonNull(materializer, "materializer");
        this.owned = owned;
    }

    /**
     * Takes the batch at {@code state}.
     *
     * @param state where the caller stands
     * @return the batch and the state after it, or the end of the data
     * @throws dev.batcher.materializers.MaterializerException if the batch cannot be materialised
     */
    @Override
    public Taken take(BatchState state) {
        Step step = source.next(Objects.requireNonNull(state, "state"));
        if (step instanceof Step.Next next) {
            return new Taken.Next(materializer.materialize(next.spec()), next.state());
        }
        return new Taken.End(((Step.End) step).last());
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("closing " + owned + " failed", e);
            }
        }
    }
}
