package dev.batcher.service.manager;

import dev.batcher.client.Status;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/** Runs a batcher's loop-confined actions on its loop from any thread, answering with a future. */
final class OnLoop {
    private OnLoop() {}

    /**
     * Runs {@code action} on {@code loop} (at once if already on it).
     *
     * @param batcher the batcher's name, for the error when the loop has shut down
     * @return the action's result or what it threw; {@link NotRunningException} (CLOSED) if the loop
     *     rejects the action
     */
    static <T> CompletableFuture<T> call(EventExecutor loop, String batcher, Supplier<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(action.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        };
        if (loop.inEventLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException e) {
                f.completeExceptionally(new NotRunningException(batcher, Status.CLOSED));
            }
        }
        return f;
    }
}
