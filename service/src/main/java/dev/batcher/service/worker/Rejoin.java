package dev.batcher.service.worker;

import dev.batcher.service.ServiceException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker in its manager's pool: after the first join, a connection that closes (the daemon
 * restarted, the network failed, a heartbeat timeout) is followed by new connections under the same
 * name, with a backoff that doubles from {@link #firstBackoff} up to {@link #maxBackoff}, for at most
 * {@link #rejoinFor} after the loss. The options are asked for again at every attempt, so a token
 * (its file, or the daemon's generated token file) is read again each time.
 *
 * @param firstBackoff the wait before the first new attempt
 * @param maxBackoff the longest wait between attempts
 * @param rejoinFor how long to keep trying after a loss; zero: do not rejoin
 */
public record Rejoin(Duration firstBackoff, Duration maxBackoff, Duration rejoinFor) {
    private static final Logger log = LoggerFactory.getLogger(Rejoin.class);

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if a duration is negative, or a backoff is zero
     */
    public Rejoin {
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(rejoinFor, "rejoinFor");
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff: " + firstBackoff + ".." + maxBackoff
                    + " (expected: 0 < first <= max)");
        }
        if (rejoinFor.isNegative()) {
            throw new IllegalArgumentException("rejoinFor: " + rejoinFor + " (expected: >= 0)");
        }
    }

    /** Rejoins for {@code rejoinFor}, waiting 250 ms, then twice as long each time, up to 5 s. */
    public static Rejoin within(Duration rejoinFor) {
        return new Rejoin(Duration.ofMillis(250), Duration.ofSeconds(5), rejoinFor);
    }

    /** What a worker's run ended with. */
    public enum Outcome {
        /** Stopped on purpose ({@link Session#stop()}). */
        STOPPED,
        /** The connection was lost and no rejoin succeeded within {@link #rejoinFor}. */
        LOST
    }

    /**
     * A worker's stay in the pool, which {@link #stop()} ends from another thread (a shutdown hook).
     */
    public static final class Session {
        private final AtomicReference<WorkerNode> current = new AtomicReference<>();
        private final CountDownLatch stopped = new CountDownLatch(1);

        /** Says goodbye on the current connection and ends {@link Rejoin#run}; safe from any thread. */
        public void stop() {
            stopped.countDown();
            WorkerNode n = current.get();
            if (n != null) {
                n.close();
            }
        }

        boolean stopping() {
            return stopped.getCount() == 0;
        }
    }

    /**
     * Runs a worker that has joined once until it is stopped or stays disconnected longer than
     * {@link #rejoinFor}.
     *
     * @param first the connected worker
     * @param options the settings of each new connection (asked again at every attempt)
     * @param timeoutMillis how long one connection attempt may take
     * @param session ends the run when stopped
     * @return how the run ended
     * @throws InterruptedException if interrupted
     */
    public Outcome run(WorkerNode first, Callable<WorkerNode.Options> options, long timeoutMillis, Session session)
            throws InterruptedException {
        WorkerNode node = first;
        while (true) {
            session.current.set(node);
            if (session.stopping()) {
                node.close();
            }
            node.closeFuture().join();
            node.close(); // frees its threads; idempotent
            if (session.stopping()) {
                return Outcome.STOPPED;
            }
            String name = node.name();
            if (rejoinFor.isZero()) {
                log.warn("worker {}: the connection to {} closed; not rejoining (rejoin time 0)", name, node.manager());
                return Outcome.LOST;
            }
            log.warn("worker {}: the connection to {} closed; rejoining under the same name, first in {} ms, backoff up to {} ms,"
                    + " for at most {} s", name, node.manager(), firstBackoff.toMillis(), maxBackoff.toMillis(),
                    rejoinFor.toSeconds());
            node = rejoin(name, options, timeoutMillis, session);
            if (node == null) {
                return session.stopping() ? Outcome.STOPPED : Outcome.LOST;
            }
        }
    }

    private WorkerNode rejoin(String name, Callable<WorkerNode.Options> options, long timeoutMillis, Session session)
            throws InterruptedException {
        long deadline = System.nanoTime() + rejoinFor.toNanos();
        long delay = firstBackoff.toNanos();
        for (int attempt = 1; ; attempt++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.error("worker {}: gave up rejoining after {} attempts in {} s", name, attempt - 1, rejoinFor.toSeconds());
                return null;
            }
            if (session.stopped.await(Math.min(delay, left), TimeUnit.NANOSECONDS)) {
                return null;
            }
            try {
                WorkerNode n = WorkerNode.connect(options.call(), timeoutMillis);
                log.info("worker {} rejoined {} (attempt {})", name, n.manager(), attempt);
                return n;
            } catch (ServiceException e) {
                log.warn("worker {}: rejoin attempt {} failed: {}; next in {} ms", name, attempt, e.getMessage(),
                        Math.min(2 * delay, maxBackoff.toNanos()) / 1_000_000);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                log.warn("worker {}: rejoin attempt {} failed: {}", name, attempt, e.toString());
            }
            delay = Math.min(2 * delay, maxBackoff.toNanos());
        }
    }
}
