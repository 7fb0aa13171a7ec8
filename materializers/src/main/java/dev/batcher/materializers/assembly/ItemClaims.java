package dev.batcher.materializers.assembly;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The items of one batch as tasks that helper threads claim in order from a shared counter while
 * the batch's own thread runs each item it reaches unclaimed ({@link FutureTask#run} runs a task
 * once, whoever calls it first), so every item is read exactly once and nothing waits for a helper
 * that never started.
 */
final class ItemClaims {
    private ItemClaims() {
    }

    /**
     * Creates the item tasks and starts up to {@code helpers} helpers on {@code executor}; a helper the
     * executor refuses is left out.
     */
    static <T> List<Future<T>> start(int items, IntFunction<T> read, Executor executor, int helpers) {
        List<FutureTask<T>> tasks = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            int index = i;
            tasks.add(new FutureTask<>(() -> read.apply(index)));
        }
        AtomicInteger next = new AtomicInteger();
        Runnable helper = () -> {
            for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) {
                tasks.get(i).run();
            }
        };
        for (int h = 0; h < Math.min(helpers, items - 1); h++) {
            try {
                executor.execute(helper);
            } catch (RejectedExecutionException e) {
                break; // fewer helpers: the batch's thread reads what no helper claims
            }
        }
        return new ArrayList<>(tasks);
    }
}
