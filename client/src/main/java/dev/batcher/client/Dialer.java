package dev.batcher.client;

import dev.batcher.client.arena.Arena;
import dev.batcher.client.protocol.ErrorFrames;
import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.PeerTimeoutException;
import dev.batcher.client.protocol.WireInitializer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Makes the connections of a {@link BatcherClient}: connects to the daemon and completes the handshake. */
final class Dialer {
    /** Extra time given to netty's own timers (connect, handshake) before the caller gives up. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    private final InetSocketAddress address;
    private final ClientOptions options;
    private final Bootstrap bootstrap;

    Dialer(InetSocketAddress address, ClientOptions options, Bootstrap bootstrap) {
        this.address = address;
        this.options = options;
        this.bootstrap = bootstrap;
    }

    /**
     * Connects and completes the handshake.
     *
     * @param purpose {@code ""}, or {@code " for take on batcher 'train'"}, appended to messages
     */
    Connection open(long generation, String purpose) {
        Connection connection = new Connection(address, generation);
        Bootstrap b = bootstrap.clone()
                .handler(WireInitializer.client(options.wire(), hello(), () -> connection));
        ChannelFuture connected = b.connect(address);
        Channel channel = connected.channel();
        connection.attach(channel);
        boolean ok = false;
        try {
            awaitConnect(connected, purpose);
            awaitHandshake(channel, purpose);
            ok = true;
            return connection;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    /**
     * The {@code HELLO} of a new connection. Without a token of its own the client reads the token file
     * of a daemon on this host at every connection: a daemon restarted on the port may have a new token.
     */
    private Hello hello() {
        String token = options.token() != null ? options.token() : TokenFile.find(TokenFile.directory(), address);
        return Hello.client(options.clientName(), token).withHost(options.sharedMemory() ? Arena.hostId() : null);
    }

    private void awaitConnect(ChannelFuture connected, String purpose) {
        Duration timeout = options.connectTimeout();
        boolean done;
        try {
            done = connected.await(timeout.plus(GRACE).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatcherClientException("connect to " + address + purpose + " interrupted", e);
        }
        if (!done) {
            connected.cancel(false);
            throw new ConnectionLostException(address, "could not connect to " + address + purpose
                    + " within " + timeout.toMillis() + " ms", null);
        }
        if (!connected.isSuccess()) {
            Throwable cause = connected.cause();
            throw new ConnectionLostException(address, "could not connect to " + address + purpose
                    + ": " + cause, cause);
        }
    }

    private void awaitHandshake(Channel channel, String purpose) {
        Duration timeout = options.wire().handshakeTimeout();
        try {
            HandshakeHandler.handshakeFuture(channel).get(timeout.plus(GRACE).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatcherClientException("handshake with " + address + purpose + " interrupted", e);
        } catch (TimeoutException e) {
            throw new ConnectionLostException(address, "no WELCOME from " + address + purpose
                    + " within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw handshakeFailure(e.getCause(), purpose);
        }
    }

    private BatcherClientException handshakeFailure(Throwable cause, String purpose) {
        if (cause instanceof RemoteBatcherException) {
            RemoteBatcherException rejection = (RemoteBatcherException) cause;
            Map<String, String> context = new LinkedHashMap<>(rejection.context());
            context.put("daemon", String.valueOf(address));
            if (ErrorFrames.CODE_UNAUTHORIZED.equals(rejection.code())) {
                context.put("hint", options.token() == null
                        ? "the daemon requires a token: connect with its token (ClientOptions.withToken)"
                        : "the token given to the client is not the daemon's token");
            }
            RemoteBatcherException rethrown = new RemoteBatcherException(rejection.code(),
                    rejection.remoteClass(), "handshake rejected: " + rejection.remoteMessage(),
                    rejection.remoteStack(), context);
            rethrown.initCause(rejection);
            return rethrown;
        }
        if (cause instanceof PeerTimeoutException) {
            return new ConnectionLostException(address, "no WELCOME from " + address + purpose
                    + ": " + cause.getMessage(), cause);
        }
        return new ConnectionLostException(address, "handshake with " + address + purpose
                + " failed: " + cause.getMessage(), cause);
    }
}
