package dev.batcher.service.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.protocol.FrameDecoder;
import dev.batcher.client.protocol.FrameEncoder;
import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.LeakCheck;
import dev.batcher.client.protocol.PeerTimeoutException;
import dev.batcher.client.protocol.Recorder;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The daemon's wire pipeline: handler order, token checks and heartbeats on both ends. */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class ServerPipelineTest {
    private static final WireConfig CONFIG = WireConfig.defaults();
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final int MISSED = 3;

    @Test
    void server_initChannel_installsHandlersInDocumentedOrder() {
        ChannelInboundHandlerAdapter business = new ChannelInboundHandlerAdapter();
        EmbeddedChannel channel = new EmbeddedChannel(WireInitializer.of(CONFIG,
                () -> ServerHandshakeHandler.create(CONFIG, "1", "secret"), () -> business));

        List<String> names = channel.pipeline().names();

        assertEquals(List.of(WireInitializer.IDLE, WireInitializer.ENCODER, WireInitializer.DECODER,
                WireInitializer.HANDSHAKE, WireInitializer.HEARTBEAT, WireInitializer.BUSINESS),
                names.subList(0, 6));
        IdleStateHandler idle = assertInstanceOf(IdleStateHandler.class, channel.pipeline().get(WireInitializer.IDLE));
        assertEquals(CONFIG.heartbeatInterval().toMillis(), idle.getWriterIdleTimeInMillis());
        assertEquals(CONFIG.readTimeout().toMillis(), idle.getReaderIdleTimeInMillis());
        assertTrue(((ServerHandshakeHandler) channel.pipeline().get(WireInitializer.HANDSHAKE)).requiresToken());
        assertEquals(HandshakeHandler.HANDSHAKE_MAX_FRAME_LENGTH,
                channel.pipeline().get(FrameDecoder.class).frameLengthLimit());
        assertEquals(business, channel.pipeline().get(WireInitializer.BUSINESS));
        channel.finishAndReleaseAll();
    }

    @Test
    void create_emptyToken_throwsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> ServerHandshakeHandler.create(CONFIG, "1", ""));
    }

    @Test
    void fullPipeline_afterHandshake_pingPongKeepsBothEndsAlive() throws Exception {
        WireConfig config = CONFIG.withHeartbeat(INTERVAL, MISSED);
        EmbeddedChannel server = new EmbeddedChannel();
        server.freezeTime();
        Recorder serverRecorder = new Recorder();
        WireInitializer.install(server.pipeline(), config, ServerHandshakeHandler.create(config, "1", null));
        server.pipeline().addLast(serverRecorder);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        Recorder recorder = new Recorder();
        WireInitializer.installClient(channel.pipeline(), config, Hello.worker("w", null, 1));
        channel.pipeline().addLast(recorder);
        try {
            pump(channel, server);
            pump(server, channel);
            assertTrue(HandshakeHandler.handshakeFuture(channel).isDone());

            // Only the client's clock runs: it pings, the server answers, nobody times out.
            for (int i = 0; i < 2 * MISSED; i++) {
                advance(channel, INTERVAL);
                assertEquals(1, pump(channel, server), "one PING");
                assertEquals(1, pump(server, channel), "one PONG");
            }

            assertTrue(channel.isOpen() && server.isOpen());
            assertTrue(recorder.frames.isEmpty() && serverRecorder.frames.isEmpty());
            assertTrue(recorder.exceptions.isEmpty() && serverRecorder.exceptions.isEmpty());
            assertEquals(List.of(HandshakeHandler.handshakeFuture(server).join()), serverRecorder.events);
        } finally {
            serverRecorder.releaseAll();
            server.finishAndReleaseAll();
            recorder.releaseAll();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void fullPipeline_peerSilent_closesAfterMissedIntervals() throws Exception {
        WireConfig config = CONFIG.withHeartbeat(INTERVAL, MISSED);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        Recorder recorder = new Recorder();
        WireInitializer.install(channel.pipeline(), config, ServerHandshakeHandler.create(config, "1", null));
        channel.pipeline().addLast(recorder);
        EmbeddedChannel peer = new EmbeddedChannel(new FrameEncoder(), new FrameDecoder());
        peer.writeOutbound(Hello.client("c", null).toFrame());
        pump(peer, channel);
        assertTrue(HandshakeHandler.handshakeFuture(channel).isDone());

        advance(channel, INTERVAL.multipliedBy(MISSED));

        assertFalse(channel.isOpen());
        assertSame(PeerTimeoutException.class, recorder.exceptions.get(0).getClass());
        peer.finishAndReleaseAll();
        recorder.releaseAll();
        channel.finishAndReleaseAll();
    }

    private static void advance(EmbeddedChannel channel, Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    private static int pump(EmbeddedChannel from, EmbeddedChannel to) {
        int moved = 0;
        Object msg;
        while ((msg = from.readOutbound()) != null) {
            moved++;
            to.writeInbound(msg);
        }
        return moved;
    }
}
