package dev.batcher.service.transport;

import dev.batcher.client.protocol.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.RemoteBatcherException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

@ExtendWith(LeakCheck.class)
@Timeout(30)
class HandshakeTest {
    private static final WireConfig CONFIG = WireConfig.defaults();
    private static final String TOKEN = "correct horse battery staple";

    private final TrackingAllocator allocator = new TrackingAllocator();
    private final Recorder clientRecorder = new Recorder();
    private final Recorder serverRecorder = new Recorder();
    private EmbeddedChannel client;
    private EmbeddedChannel server;

    private EmbeddedChannel newChannel() throws Exception {
        EmbeddedChannel channel = WireTestSupport.channel(allocator);
        channel.freezeTime();
        return channel;
    }

    private void startServer(String token) throws Exception {
        server = newChannel();
        WireInitializer.install(server.pipeline(), CONFIG, ServerHandshakeHandler.create(CONFIG, "9.9.9", token));
        server.pipeline().addLast(serverRecorder);
    }

    private void startClient(Hello hello) throws Exception {
        client = newChannel();
        WireInitializer.installClient(client.pipeline(), CONFIG, hello);
        client.pipeline().addLast(clientRecorder);
    }

    /** Moves bytes between the two channels until neither has anything left to send. */
    private void exchange() {
        boolean moved;
        do {
            moved = pump(client, server) | pump(server, client);
        } while (moved);
    }

    private static boolean pump(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        Object msg;
        while ((msg = from.readOutbound()) != null) {
            moved = true;
            if (to.isOpen()) {
                to.writeInbound(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
        return moved;
    }

    @AfterEach
    void releaseEverything() {
        clientRecorder.releaseAll();
        serverRecorder.releaseAll();
        if (client != null) {
            client.finishAndReleaseAll();
        }
        if (server != null) {
            server.finishAndReleaseAll();
        }
        allocator.assertAllReleased();
    }

    private static <T extends Throwable> T failure(CompletableFuture<?> future, Class<T> type) {
        assertTrue(future.isCompletedExceptionally(), "failed");
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(type, e.getCause());
    }

    @Test
    void handshake_workerWithRightToken_completesBothEndsAndRemovesHandlers() throws Exception {
        startServer(TOKEN);
        startClient(Hello.worker("w1", TOKEN, 4));

        exchange();

        HandshakeCompleted onServer = HandshakeHandler.handshakeFuture(server).join();
        HandshakeCompleted onClient = HandshakeHandler.handshakeFuture(client).join();
        assertEquals(Role.WORKER, onServer.role());
        assertEquals("w1", onServer.name());
        assertEquals(4, onServer.slots());
        assertNull(onServer.hello().token(), "the token never reaches the business handler");
        assertEquals("9.9.9", onClient.welcome().serverVersion());
        assertEquals(CONFIG.heartbeatInterval(), onClient.welcome().heartbeatInterval());
        assertEquals(CONFIG.maxFrameLength(), onClient.welcome().maxFrameLength());
        assertEquals(List.of(onServer), serverRecorder.events);
        assertEquals(List.of(onClient), clientRecorder.events);
        assertNull(server.pipeline().get(WireInitializer.HANDSHAKE));
        assertNull(client.pipeline().get(WireInitializer.HANDSHAKE));
        assertEquals(CONFIG.maxFrameLength(), server.pipeline().get(FrameDecoder.class).frameLengthLimit());
        assertEquals(CONFIG.maxFrameLength(), client.pipeline().get(FrameDecoder.class).frameLengthLimit());
        assertTrue(server.isOpen() && client.isOpen());
        assertTrue(serverRecorder.exceptions.isEmpty() && clientRecorder.exceptions.isEmpty());
    }

    @Test
    void handshake_afterCompletion_framesReachBusinessHandler() throws Exception {
        startServer(null);
        startClient(Hello.client("trainer", null));
        exchange();

        client.writeOutbound(Frame.of(MessageType.REQUEST, 1, Frame.newHeader().put("op", "status")));
        exchange();

        Frame request = serverRecorder.frames.poll();
        assertEquals(MessageType.REQUEST, request.type());
        assertEquals("status", request.header().get("op").asText());
        request.release();
        assertEquals(Role.CLIENT, HandshakeHandler.handshakeFuture(server).join().role());
    }

    @Test
    void handshake_noTokenConfigured_acceptsHelloWithToken() throws Exception {
        startServer(null);
        startClient(Hello.client("trainer", "anything"));
        exchange();
        assertEquals("trainer", HandshakeHandler.handshakeFuture(server).join().name());
    }

    @Test
    void handshake_wrongToken_serverAnswersUnauthorizedAndBothClose() throws Exception {
        startServer(TOKEN);
        startClient(Hello.client("trainer", "correct horse battery stapler"));

        exchange();

        ProtocolException onServer = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals(ErrorFrames.CODE_UNAUTHORIZED, onServer.code());
        assertEquals("hello.token", onServer.field());
        assertFalse(onServer.getMessage().contains("stapler"), onServer.getMessage());
        RemoteBatcherException onClient = failure(HandshakeHandler.handshakeFuture(client),
                RemoteBatcherException.class);
        assertEquals(ErrorFrames.CODE_UNAUTHORIZED, onClient.code());
        assertEquals(ProtocolException.class.getName(), onClient.remoteClass());
        assertEquals(onServer.getMessage(), onClient.remoteMessage());
        assertSame(onServer, serverRecorder.exceptions.get(0));
        assertSame(onClient, clientRecorder.exceptions.get(0));
        assertFalse(server.isOpen());
        assertFalse(client.isOpen());
        assertTrue(serverRecorder.events.isEmpty() && clientRecorder.events.isEmpty());
    }

    @Test
    void handshake_missingToken_unauthorized() throws Exception {
        startServer(TOKEN);
        startClient(Hello.client("trainer", null));
        exchange();
        ProtocolException e = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals(ErrorFrames.CODE_UNAUTHORIZED, e.code());
        assertEquals("absent", e.value());
    }

    /** A peer with only the codec, to send hand-made frames. */
    private EmbeddedChannel rawPeer() throws Exception {
        EmbeddedChannel peer = WireTestSupport.channel(allocator, new FrameEncoder(), new FrameDecoder());
        client = peer;
        return peer;
    }

    @Test
    void handshake_wrongVersion_unsupportedVersionAndClose() throws Exception {
        startServer(null);
        EmbeddedChannel peer = rawPeer();
        ObjectNode hello = ((ObjectNode) Hello.client("future", null).toFrame().header()).put("protocol", Hello.PROTOCOL_VERSION + 1);
        peer.writeOutbound(Frame.of(MessageType.HELLO, 0, hello));

        pump(peer, server);
        pump(server, peer);

        ProtocolException e = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals(ErrorFrames.CODE_UNSUPPORTED_VERSION, e.code());
        assertEquals("hello.protocol: " + (Hello.PROTOCOL_VERSION + 1) + " (expected: " + Hello.PROTOCOL_VERSION + ")", e.getMessage());
        assertFalse(server.isOpen());
        Frame error = peer.readInbound();
        assertEquals(MessageType.ERROR, error.type());
        assertEquals(ErrorFrames.CODE_UNSUPPORTED_VERSION, ErrorFrames.toException(error).code());
        error.release();
    }

    @Test
    void handshake_firstFrameNotHello_protocolErrorAndClose() throws Exception {
        startServer(null);
        EmbeddedChannel peer = rawPeer();
        peer.writeOutbound(Frame.of(MessageType.REQUEST, 1, Frame.newHeader().put("op", "status")));

        pump(peer, server);
        pump(server, peer);

        ProtocolException e = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals("type: REQUEST (expected: HELLO as the first frame)", e.getMessage());
        assertFalse(server.isOpen());
        assertTrue(serverRecorder.frames.isEmpty(), "the request never reaches the business handler");
        Frame error = peer.readInbound();
        assertEquals(ErrorFrames.CODE_PROTOCOL, ErrorFrames.toException(error).code());
        error.release();
    }

    @Test
    void handshake_helloMissingFields_namesTheField() throws Exception {
        startServer(null);
        EmbeddedChannel peer = rawPeer();
        ObjectNode hello = (ObjectNode) Hello.worker("w", null, 1).toFrame().header();
        hello.remove("slots");
        peer.writeOutbound(Frame.of(MessageType.HELLO, 0, hello));
        pump(peer, server);
        ProtocolException e = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals("hello.slots", e.field());
        assertEquals("absent", e.value());
    }

    @Test
    void handshake_bigFrameBeforeHandshake_rejectedAtHandshakeLimit() throws Exception {
        startServer(null);
        ByteBuf big = Unpooled.buffer().writeInt(HandshakeHandler.HANDSHAKE_MAX_FRAME_LENGTH + 1);

        server.writeInbound(big);

        ProtocolException e = failure(HandshakeHandler.handshakeFuture(server), ProtocolException.class);
        assertEquals("length", e.field());
        assertTrue(e.expected().startsWith("<= " + HandshakeHandler.HANDSHAKE_MAX_FRAME_LENGTH), e.expected());
        assertFalse(server.isOpen());
        assertEquals(0, big.refCnt());
    }

    @Test
    void handshake_noHelloWithinTimeout_closesWithPeerTimeout() throws Exception {
        startServer(null);
        server.advanceTimeBy(CONFIG.handshakeTimeout().toMillis() - 1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertTrue(server.isOpen());

        server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();

        PeerTimeoutException e = failure(HandshakeHandler.handshakeFuture(server), PeerTimeoutException.class);
        assertEquals("handshake", e.phase());
        assertEquals(CONFIG.handshakeTimeout(), e.timeout());
        assertTrue(e.getMessage().startsWith("no HELLO from"), e.getMessage());
        assertFalse(server.isOpen());
        assertSame(e, serverRecorder.exceptions.get(0));
    }

    @Test
    void handshake_noWelcomeWithinTimeout_clientClosesWithPeerTimeout() throws Exception {
        startClient(Hello.client("trainer", null));
        ReferenceCountUtil.release(client.readOutbound());

        client.advanceTimeBy(CONFIG.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();

        PeerTimeoutException e = failure(HandshakeHandler.handshakeFuture(client), PeerTimeoutException.class);
        assertTrue(e.getMessage().startsWith("no WELCOME from"), e.getMessage());
        assertFalse(client.isOpen());
    }

    @Test
    void handshake_serverAnswersWithOtherFrame_clientFailsWithProtocolException() throws Exception {
        startClient(Hello.client("trainer", null));
        ReferenceCountUtil.release(client.readOutbound());

        client.writeInbound(WireTestSupport.encode(Frame.of(MessageType.BATCH, 1)));

        ProtocolException e = failure(HandshakeHandler.handshakeFuture(client), ProtocolException.class);
        assertEquals("type: BATCH (expected: WELCOME or ERROR after HELLO)", e.getMessage());
        assertFalse(client.isOpen());
    }

    @Test
    void handshake_channelClosedEarly_futureFailsWithWireException() throws Exception {
        startServer(null);
        server.close();
        WireException e = failure(HandshakeHandler.handshakeFuture(server), WireException.class);
        assertTrue(e.getMessage().contains("closed before the handshake completed"), e.getMessage());
    }

    @Test
    void handshakeFuture_channelWithoutHandshake_throwsIllegalState() {
        EmbeddedChannel plain = new EmbeddedChannel();
        assertThrows(IllegalStateException.class, () -> HandshakeHandler.handshakeFuture(plain));
        plain.finish();
    }

    @Test
    void hello_invalidFields_throwIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> Hello.worker("w", null, 0));
        assertThrows(IllegalArgumentException.class, () -> Hello.worker("w", null, Hello.MAX_SLOTS + 1));
        assertThrows(IllegalArgumentException.class, () -> new Hello(Role.CLIENT, "c", null, 2));
        assertThrows(IllegalArgumentException.class, () -> Hello.client(" ", null));
        assertThrows(IllegalArgumentException.class, () -> Hello.client("x".repeat(129), null));
    }

    @Test
    void hello_workerWithHeldFiles_roundTripsAndIsCappedToFitTheHandshakeLimit() {
        Hello h = Hello.worker("w", null, 2).withHeld(List.of("s3://b/ds/n1.h5", "s3://b/ds/n2.h5"));
        Frame f = h.toFrame();
        try {
            assertEquals(List.of("s3://b/ds/n1.h5", "s3://b/ds/n2.h5"), Hello.decode(f).held());
        } finally {
            ReferenceCountUtil.release(f);
        }
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add("s3://bucket/some/longer/prefix/night-" + i + ".h5");
        }
        Hello big = Hello.worker("w", null, 2).withHeld(many);
        assertTrue(big.held().size() < many.size() && big.held().size() > 100, "what fits: " + big.held().size());
        io.netty.buffer.ByteBuf bytes = dev.batcher.client.protocol.WireTestSupport.encode(big.toFrame());
        try {
            assertTrue(bytes.readableBytes() < dev.batcher.client.protocol.HandshakeHandler.HANDSHAKE_MAX_FRAME_LENGTH,
                    bytes.readableBytes() + " bytes");
        } finally {
            bytes.release();
        }
        assertEquals(List.of(), Hello.worker("w", null, 2).held());
    }
}
