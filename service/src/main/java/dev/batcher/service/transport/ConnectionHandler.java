package dev.batcher.service.transport;

import dev.batcher.client.protocol.HandshakeCompleted;
import dev.batcher.client.protocol.Role;
import dev.batcher.service.manager.Manager;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The business handler of a new connection: once the handshake says who the peer is, it replaces
 * itself with a {@link RemoteWorker} (which joins the pool) or a {@link ClientRequestHandler}.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final AtomicLong WORKER_IDS = new AtomicLong();
    private final Manager manager;
    private final Executor blocking;

    private final ResultShapes shapes;
    /** This host's id if shared memory is on, else null. */
    private final String host;

    ConnectionHandler(Manager manager, Executor blocking, ResultShapes shapes, String host) {
        this.shapes = shapes;
        this.host = host;
        this.manager = manager;
        this.blocking = blocking;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeCompleted done) {
            String peer = done.name() + "@" + ctx.channel().remoteAddress();
            // Same host (the peer's HELLO names this host's id): batches go through shared memory.
            boolean sharesMemory = host != null && host.equals(done.hello().host());
            if (done.role() == Role.WORKER) {
                // Names need only be unique in the pool; a worker that reconnects is a new member.
                // A local worker process the daemon started joins under the name it was given; its exit tells
                // when a slot it was writing when its connection was lost can be used again.
                RemoteWorker worker = new RemoteWorker(done.name() + "#" + WORKER_IDS.incrementAndGet(), done.slots(),
                        ctx.channel(), manager.pool(), shapes, sharesMemory, manager.pool().claimProcess(done.name()));
                ctx.pipeline().replace(this, "worker", worker);
                // Its cache's files (a worker that rejoins, or restarted with its cache) are warm from the start.
                manager.pool().join(worker, done.hello().held());
            } else {
                ctx.pipeline().replace(this, "client", new ClientRequestHandler(manager, blocking, peer, sharesMemory));
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Handshake failures are answered by the handshake handler; nothing to add but the close.
        ctx.close();
    }
}
