package dev.batcher.client;

import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.Response;
import dev.batcher.client.protocol.Frame;
import dev.batcher.api.BatchState;
import dev.batcher.api.Batcher;
import dev.batcher.api.Taken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handle on one named batcher of a daemon, made by {@link BatcherClient#batcher(String)}. It
 * implements the {@link Batcher} interface of the in-process {@code LocalBatcher}, with the same
 * rule: {@link #take(BatchState) take(state)} returns the batch at {@code state} and the state after
 * it, so a training loop that keeps the state in its checkpoints resumes exactly. If the batcher
 * stands elsewhere (another client took from it, or the loop resumed from a checkpoint), the daemon
 * restarts it at {@code state}; it never hands out a batch of another state.
 *
 * <pre>{@code
 * BatcherHandle train = client.batcher("train");
 * train.create(BatcherSpec.of("/data/sleep", new SourceConfig.Random(32, 30, null, null, null, null)));
 * BatchState state = checkpoint.stateOr(BatchState.initial(42));
 * train.start(state);
 * while (training) {
 *     Taken taken = train.take(state);
 *     if (taken instanceof Taken.End) break;
 *     Taken.Next next = (Taken.Next) taken;
 *     try (Batch batch = next.batch()) {
 *         step(batch.x(), batch.y());
 *     }
 *     state = next.state();          // store it with the model's checkpoint
 * }
 * train.stop();
 * }</pre>
 *
 * <h2>Reconnection</h2>
 * The handle remembers the spec it {@linkplain #create created} the batcher with and whether its
 * user {@linkplain #start started} it (and has not {@linkplain #stop stopped} it since). After the
 * client reconnected (see {@link BatcherClient}), the handle's next request is preceded by
 * {@code create} with that spec (the daemon answers {@code created: false} if it still has the
 * batcher), and the next {@code take(state)} by {@code start(state)}: after a daemon restart, the
 * loop's next {@code take} gets the batch at its state.
 *
 * <h2>Errors</h2>
 * Failures reported by the daemon arrive as {@link RemoteBatcherException}s whose
 * {@link RemoteBatcherException#code() code} tells the kind: {@code bad_request} (unknown batcher,
 * bad argument, a spec that conflicts with the existing batcher's), {@code not_running}
 * ({@code take} on a batcher that is not started), {@code failed} (a batch failed on a worker after
 * its retries; the remote class, message, stack and context name the worker, the state before the
 * failed batch and its items).
 *
 * <p>Thread-safe; the handle itself holds no resources.
 */
public final class BatcherHandle implements Batcher {
    private static final Logger LOG = LoggerFactory.getLogger(BatcherHandle.class);

    private final BatcherClient client;
    private final String name;
    private volatile boolean closed;
    /** The spec this handle created the batcher with, or null; guarded by this. */
    private BatcherSpec spec;
    /** The connection on which the batcher was last (re-)created; guarded by this. */
    private long createdOn = -1;
    /** Whether the user started the batcher and has not stopped it since; guarded by this. */
    private boolean started;
    /** The connection on which the batcher was last (re-)started; guarded by this. */
    private long startedOn = -1;
    /** The take sent ahead for the state the last take returned, or null; guarded by this. */
    private Prefetch prefetched;

    /** A take sent before the caller asked for it. */
    private record Prefetch(Connection connection, BatchState state, Connection.Pending request) {}

    BatcherHandle(BatcherClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /** Returns the batcher's name. */
    public String name() {
        return name;
    }

    /**
     * Creates the batcher on the daemon, or checks that it exists with an equal spec. The handle
     * remembers the spec, to create the batcher again after a daemon restart.
     *
     * @param spec the dataset, source, options, capacity and retries
     * @return true if the daemon created it; false if a batcher of that name and an equal spec
     *     already existed
     * @throws NullPointerException if {@code spec} is null
     * @throws IllegalStateException if the handle or the client is closed
     * @throws RemoteBatcherException code {@code bad_request} if a batcher of that name exists with
     *     another spec or the daemon rejects the spec (for example, an unknown dataset)
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established
     * @throws BatcherTimeoutException if the daemon does not answer within
     *     {@link ClientOptions#requestTimeout()}
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored)
     */
    public boolean create(BatcherSpec spec) {
        if (spec == null) {
            throw new NullPointerException("spec: null (expected: a BatcherSpec)");
        }
        checkOpen(Op.CREATE.wireName());
        synchronized (this) {
            Connection connection = client.connection(Request.describe(Op.CREATE, name));
            boolean created = sendCreate(connection, spec);
            this.spec = spec;
            this.createdOn = connection.generation();
            return created;
        }
    }

    /**
     * Starts the batcher at {@code state}: the daemon begins materialising batches from there.
     * Starting a running batcher does nothing (the daemon logs a warning); a {@code take} at another
     * state restarts it there anyway.
     *
     * @param state where to start: the initial state or one a {@code take} returned
     * @return true if the batcher was started; false if it was already running
     * @throws NullPointerException if {@code state} is null
     * @throws IllegalStateException if the handle or the client is closed
     * @throws RemoteBatcherException code {@code bad_request} if the daemon has no batcher of that
     *     name
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established
     * @throws BatcherTimeoutException if the daemon does not answer within
     *     {@link ClientOptions#requestTimeout()}
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored)
     */
    public boolean start(BatchState state) {
        checkState(state);
        checkOpen(Op.START.wireName());
        dropPrefetch("start was called");
        synchronized (this) {
            Connection connection = client.connection(Request.describe(Op.START, name));
            recreate(connection);
            boolean wasStarted = sendStart(connection, state);
            started = true;
            startedOn = connection.generation();
            return wasStarted;
        }
    }

    /**
     * Takes the batch at {@code state}. Waits up to {@link ClientOptions#takeTimeout()} for it.
     *
     * <p>With {@link ClientOptions#prefetch()} on, for a batcher this handle started, a take
     * that returns a batch at once asks the daemon for the batch at the state it returned, so that
     * batch crosses the network while the caller works; the next {@code take} of that state finds it
     * under way. A take of any other state drops it (the daemon then restarts there, as it would
     * have anyway), so what a take returns is always the batch at the state it was given.
     *
     * @param state where the caller stands: the state it started at or the state the previous
     *     {@code take} returned
     * @return {@link Taken.Next} with the batch (the caller owns it and must close it; its x and y
     *     are views of the received bytes) and the state after it, or {@link Taken.End} with the
     *     last state at the end of a finite source
     * @throws NullPointerException if {@code state} is null
     * @throws IllegalStateException if the handle or the client is closed
     * @throws RemoteBatcherException code {@code not_running} if the batcher is not started,
     *     {@code failed} if the batch failed after its retries (the worker's exception and context),
     *     {@code bad_request} if the daemon has no batcher of that name
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established; call
     *     {@code take(state)} again to resume
     * @throws BatcherTimeoutException if no batch arrives within {@link ClientOptions#takeTimeout()}
     *     (the request is cancelled; call again with the same state)
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed (for example, a
     *     payload that does not match the shapes)
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored
     *     and the request cancelled)
     */
    @Override
    public Taken take(BatchState state) {
        checkState(state);
        checkOpen(Op.TAKE.wireName());
        Connection connection = client.connection(Request.describe(Op.TAKE, name));
        Connection.Pending request;
        synchronized (this) {
            recreate(connection);
            if (started && startedOn != connection.generation()) {
                LOG.info("batcher '{}': starting it again at {} after reconnecting", name, state);
                sendStart(connection, state);
                startedOn = connection.generation();
            }
            Prefetch ahead = prefetched;
            prefetched = null;
            if (ahead != null && ahead.connection() == connection && ahead.state().equals(state)) {
                request = ahead.request();
            } else {
                if (ahead != null) {
                    ahead.connection().drop(ahead.request(), "the next take asked for " + state + ", not " + ahead.state());
                }
                request = connection.send(new Request.Take(name, state));
            }
        }
        Frame answer = connection.await(request, client.options().takeTimeout());
        Taken taken = Requests.taken(answer, name, state, connection, client.arenas());
        if (taken instanceof Taken.Next next && client.options().prefetch()) {
            synchronized (this) {
                if (started && !closed && prefetched == null) {
                    // The next batch crosses the network while the caller trains on this one.
                    prefetched = new Prefetch(connection, next.state(), connection.send(new Request.Take(name, next.state())));
                }
            }
        }
        return taken;
    }

    /** Withdraws the take sent ahead, if any; its batch, if it came, is released. */
    private void dropPrefetch(String why) {
        Prefetch ahead;
        synchronized (this) {
            ahead = prefetched;
            prefetched = null;
        }
        if (ahead != null) {
            ahead.connection().drop(ahead.request(), why);
        }
    }

    /**
     * Stops the batcher: the daemon stops materialising and drops what it buffered. Returns once it
     * has stopped. Idempotent. The handle no longer starts the batcher again after a reconnection.
     *
     * @throws IllegalStateException if the handle or the client is closed
     * @throws RemoteBatcherException code {@code bad_request} if the daemon has no batcher of that
     *     name
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established
     * @throws BatcherTimeoutException if the daemon does not answer within
     *     {@link ClientOptions#requestTimeout()}
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored)
     */
    public void stop() {
        checkOpen(Op.STOP.wireName());
        dropPrefetch("stop was called");
        synchronized (this) {
            try {
                Connection connection = client.connection(Request.describe(Op.STOP, name));
                recreate(connection);
                Requests.response(connection.call(new Request.Stop(name), client.options().requestTimeout()),
                        Op.STOP, name, Response.Stopped.class);
            } finally {
                started = false;
            }
        }
    }

    /**
     * Asks the daemon for the batcher's status and metrics.
     *
     * @return the status
     * @throws IllegalStateException if the handle or the client is closed
     * @throws RemoteBatcherException code {@code bad_request} if the daemon has no batcher of that
     *     name
     * @throws ConnectionLostException if the connection is lost, or cannot be re-established
     * @throws BatcherTimeoutException if the daemon does not answer within
     *     {@link ClientOptions#requestTimeout()}
     * @throws dev.batcher.client.protocol.ProtocolException if the answer is malformed
     * @throws BatcherClientException if the thread is interrupted (the interrupt flag is restored)
     */
    public BatcherStatus status() {
        checkOpen(Op.STATUS.wireName());
        Connection connection = client.connection(Request.describe(Op.STATUS, name));
        synchronized (this) {
            recreate(connection);
        }
        Frame answer = connection.call(new Request.StatusQuery(name), client.options().requestTimeout());
        return Requests.response(answer, Op.STATUS, name, Response.StatusReport.class).status();
    }

    /**
     * Closes the handle only: nothing is sent, and the batcher keeps running on the daemon (call
     * {@link #stop()} first to stop it). The client stays open; batches taken stay valid until
     * closed. Further calls on this handle throw {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        dropPrefetch("the handle was closed");
    }

    @Override
    public String toString() {
        return "BatcherHandle[" + name + " at " + client.address() + (closed ? ", closed]" : "]");
    }

    /** Sends {@code create} again if the batcher was created on an earlier connection. */
    private void recreate(Connection connection) {
        if (spec != null && createdOn != connection.generation()) {
            LOG.info("batcher '{}': creating it again after reconnecting", name);
            sendCreate(connection, spec);
            createdOn = connection.generation();
        }
    }

    private boolean sendCreate(Connection connection, BatcherSpec batcherSpec) {
        Frame answer = connection.call(new Request.Create(name, batcherSpec), client.options().requestTimeout());
        return Requests.response(answer, Op.CREATE, name, Response.Created.class).created();
    }

    private boolean sendStart(Connection connection, BatchState state) {
        Frame answer = connection.call(new Request.Start(name, state), client.options().requestTimeout());
        return Requests.response(answer, Op.START, name, Response.Started.class).started();
    }

    private static void checkState(BatchState state) {
        if (state == null) {
            throw new NullPointerException("state: null (expected: a BatchState)");
        }
    }

    private void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException("batcher handle '" + name + "' is closed (" + op + ")");
        }
    }
}
