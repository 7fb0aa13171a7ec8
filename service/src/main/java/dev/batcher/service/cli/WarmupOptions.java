package dev.batcher.service.cli;

import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Warmup;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --warm-up-ms}: how long a process that materialises batches may spend, before it serves, running
 * the kernels on synthetic windows so that the JIT has compiled them ({@link Warmup}). Without it a fresh
 * worker process serves its first hundreds of batches through the interpreted Vector API fallbacks.
 * Applied as the system property {@link Warmup#BUDGET_PROPERTY}, which {@code serve} passes on to the
 * worker processes it starts.
 */
final class WarmupOptions {
    @Option(names = "--warm-up-ms", paramLabel = "MS", defaultValue = "5000",
            description = "Before serving, run the kernels on synthetic windows until the JIT has compiled them, for at most"
                    + " this long (default: ${DEFAULT-VALUE}; 0: off). Local worker processes get the same.")
    long warmUpMillis;

    /**
     * Records the budget for the worker processes this one starts and, if {@code here}, warms this JVM up.
     *
     * @param here whether this process materialises batches itself
     * @throws IllegalArgumentException if the budget is negative
     */
    void apply(boolean here) {
        if (warmUpMillis < 0) {
            throw new IllegalArgumentException("--warm-up-ms: " + warmUpMillis + " (expected: >= 0)");
        }
        System.setProperty(Warmup.BUDGET_PROPERTY, Long.toString(warmUpMillis));
        if (here) {
            Warmup.run(Kernels.defaults(), Duration.ofMillis(warmUpMillis));
        }
    }
}
