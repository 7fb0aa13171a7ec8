package dev.batcher.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.HandshakeCompleted;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.ArenaRef;
import dev.batcher.client.protocol.Release;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.WireException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the daemon, and the business handler of its pipeline: it numbers requests,
 * keeps a future per request id and completes it with the {@code RESPONSE}, {@code BATCH} or
 * {@code ERROR} frame that carries that id. Callers wait on their future with a timeout; on timeout
 * or interrupt they abandon the request and send {@code CANCEL}. When the channel closes, every
 * waiting request fails with a {@link ConnectionLostException}.
 *
 * <p>Ownership of an answer frame: the handler removes the request from the map and completes its
 * future with the frame; if the caller abandoned the request first, completing fails and the
 * handler releases the frame. A caller that abandons a future already completed with a frame
 * releases that frame. So every frame is released exactly once, whoever loses the race.
 */
final class Connection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    /** A request waiting for its answer. */
    static final class Pending {
        final long id;
        final Op op;
        final String batcher;
        final CompletableFuture<Frame> answer = new CompletableFuture<>();

        Pending(long id, Request request) {
            this.id = id;
            this.op = request.op();
            this.batcher = request.batcher();
        }
    }

    /** Completes the futures of a broken connection; the caller turns it into its own exception. */
    private static final class Lost extends Exception {
        private static final long serialVersionUID = 1L;

        Lost(String reason, Throwable cause) {
            super(reason, cause, false, false);
        }
    }

    private final InetSocketAddress address;
    private final long generation;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong droppedAnswers = new AtomicLong();
    private volatile Channel channel;
    private volatile boolean handshaken;
    private volatile boolean lost;
    private volatile boolean closedByClient;
    private volatile String closeReason;
    private volatile Throwable closeCause;

    Connection(InetSocketAddress address, long generation) {
        this.address = address;
        this.generation = generation;
    }

    /** Returns the number of this connection: 1 for the first, +1 for each reconnection. */
    long generation() {
        return generation;
    }

    void attach(Channel ch) {
        this.channel = ch;
    }

    Channel channel() {
        return channel;
    }

    /** Tells whether requests can be sent: the handshake is done and the channel is open. */
    boolean usable() {
        Channel ch = channel;
        return handshaken && !lost && ch != null && ch.isActive();
    }

    /** Returns how many answers arrived for requests already abandoned (and were released). */
    long droppedAnswers() {
        return droppedAnswers.get();
    }

    /** Returns how many requests wait for an answer. */
    int pendingCount() {
        return pending.size();
    }

    /**
     * Sends a request and waits for its answer.
     *
     * @return the answer frame, which the caller must release
     * @throws BatcherTimeoutException if no answer came within {@code timeout} ({@code CANCEL} sent)
     * @throws ConnectionLostException if the connection broke before the answer came
     * @throws BatcherClientException if the thread was interrupted (flag restored; {@code CANCEL}
     *     sent), or the request could not be encoded
     */
    Frame call(Request request, Duration timeout) {
        return await(send(request), timeout);
    }

    /** Sends a request without waiting; {@link #await} or {@link #drop} it later. */
    Pending send(Request message) {
        Pending request = new Pending(nextId.incrementAndGet(), message);
        pending.put(request.id, request);
        if (lost) {
            fail(request.id, lostSignal(null));
        } else {
            channel.writeAndFlush(message.toFrame(request.id))
                    .addListener(written -> {
                        if (!written.isSuccess()) {
                            Throwable cause = written.cause();
                            fail(request.id, cause instanceof BatcherClientException || cause instanceof WireException ? cause
                                    : lostSignal(cause));
                        }
                    });
        }
        return request;
    }

    /**
     * Tells the daemon that the batch in shared memory answering take {@code takeId} is closed, so
     * its slot is free. Nothing to do once the connection is gone: the daemon frees a closed
     * connection's slots itself.
     */
    void release(long takeId) {
        Channel ch = channel;
        if (ch != null && ch.isActive() && !lost) {
            ch.writeAndFlush(Release.toFrame(takeId));
        }
    }

    /** Releases an answer nobody will read; a batch in shared memory gives its slot back. */
    private void discard(Frame frame) {
        if (frame.type() == MessageType.BATCH && frame.header().has(ArenaRef.FIELD)) {
            release(frame.id());
        }
        frame.release();
    }

    /**
     * Gives up a request sent with {@link #send}: releases its answer if it came, else cancels it on
     * the daemon (which then withdraws it, or answers late and the answer is dropped).
     */
    void drop(Pending request, String reason) {
        Frame late = abandon(request, new BatcherClientException(
                Request.describe(request.op, request.batcher) + " dropped: " + reason));
        if (late != null) {
            discard(late);
        } else {
            cancel(request.id, reason);
        }
    }

    Frame await(Pending request, Duration timeout) {
        String what = Request.describe(request.op, request.batcher);
        try {
            return request.answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            BatcherTimeoutException timedOut =
                    new BatcherTimeoutException(request.op.wireName(), request.batcher, timeout, request.id);
            Frame late = abandon(request, timedOut);
            if (late != null) {
                return late; // answered at the last moment: use it
            }
            cancel(request.id, "no answer within " + timeout.toMillis() + " ms");
            throw timedOut;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            BatcherClientException interrupted = new BatcherClientException(what
                    + " interrupted while waiting for the answer; request " + request.id
                    + " cancelled", e);
            Frame late = abandon(request, interrupted);
            if (late != null) {
                discard(late);
            } else {
                cancel(request.id, "the client thread was interrupted");
            }
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Lost) {
                throw new ConnectionLostException(address, "connection to " + address
                        + " lost while waiting for the answer to " + what + " (request "
                        + request.id + "): " + cause.getMessage(), cause.getCause());
            }
            if (cause instanceof BatcherClientException || cause instanceof WireException) {
                throw (RuntimeException) cause; // as thrown: the client's own, or the wire protocol's
            }
            throw new BatcherClientException(what + " failed: " + cause, cause);
        }
    }

    /**
     * Gives up a request: removes it and fails its future. Returns the answer frame if the future was
     * already completed with one (the caller then owns it), else null.
     */
    private Frame abandon(Pending request, Throwable reason) {
        pending.remove(request.id);
        if (request.answer.completeExceptionally(reason)) {
            return null;
        }
        try {
            return request.answer.getNow(null);
        } catch (CompletionException | CancellationException e) {
            return null;
        }
    }

    private void fail(long id, Throwable failure) {
        Pending request = pending.remove(id);
        if (request != null) {
            request.answer.completeExceptionally(failure);
        }
    }

    private void cancel(long id, String reason) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ObjectNode header = Frame.newHeader();
            header.put("reason", reason);
            ch.writeAndFlush(Frame.of(MessageType.CANCEL, id, header));
        }
    }

    private Lost lostSignal(Throwable writeFailure) {
        if (closedByClient) {
            return new Lost("the client was closed", null);
        }
        Throwable cause = closeCause != null ? closeCause : writeFailure;
        String reason = closeReason;
        if (reason == null) {
            reason = cause != null ? cause.toString() : "the daemon closed the connection";
        }
        return new Lost(reason, cause);
    }

    /**
     * Closes the connection on purpose: says {@code GOODBYE} if the handshake is done, closes, and
     * waits up to {@code wait} for the channel to close. Waiting requests fail.
     *
     * @throws InterruptedException if interrupted while waiting for the close
     */
    void close(Duration wait) throws InterruptedException {
        closedByClient = true;
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (handshaken && ch.isActive()) {
            ObjectNode header = Frame.newHeader();
            header.put("reason", "client closed");
            ch.writeAndFlush(Frame.of(MessageType.GOODBYE, 0, header))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
        ch.closeFuture().await(wait.toMillis());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof HandshakeCompleted) {
            handshaken = true;
            LOG.debug("connected to {}: {}", address, ((HandshakeCompleted) event).welcome());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Frame frame = (Frame) msg;
        switch (frame.type()) {
            case RESPONSE:
            case BATCH:
            case ERROR:
                answer(ctx, frame);
                break;
            case GOODBYE:
                String reason = frame.header().path("reason").asText("");
                frame.release();
                closeReason = "the daemon said GOODBYE" + (reason.isEmpty() ? "" : " (" + reason + ")");
                ctx.close();
                break;
            default:
                MessageType type = frame.type();
                frame.release();
                violation(ctx, new ProtocolException("type", type,
                        "RESPONSE, BATCH, ERROR or GOODBYE from the daemon"));
                break;
        }
    }

    private void answer(ChannelHandlerContext ctx, Frame frame) {
        if (frame.id() == 0) {
            if (frame.type() == MessageType.ERROR) {
                RemoteBatcherException error = ErrorFrames.toException(frame);
                frame.release();
                closeCause = error;
                closeReason = "the daemon closed the connection with an error: " + error.getMessage();
                ctx.close();
            } else {
                MessageType type = frame.type();
                frame.release();
                violation(ctx, new ProtocolException(type + ".id", 0, "the id of a request"));
            }
            return;
        }
        Pending request = pending.remove(frame.id());
        if (request == null || !request.answer.complete(frame)) {
            LOG.debug("dropping an answer to an abandoned request: {}", frame);
            droppedAnswers.incrementAndGet();
            discard(frame);
        }
    }

    private void violation(ChannelHandlerContext ctx, ProtocolException violation) {
        closeCause = violation;
        closeReason = "protocol violation by the daemon: " + violation.getMessage();
        ctx.writeAndFlush(ErrorFrames.error(0, violation, Map.of()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        LOG.debug("connection to {} failed", address, cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        lost = true;
        Lost signal = lostSignal(null);
        if (!closedByClient && !pending.isEmpty()) {
            LOG.warn("connection to {} lost with {} request(s) waiting: {}", address,
                    pending.size(), signal.getMessage());
        }
        for (Long id : pending.keySet()) {
            fail(id, signal);
        }
        ctx.fireChannelInactive();
    }
}
