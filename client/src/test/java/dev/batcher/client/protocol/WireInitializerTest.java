package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class WireInitializerTest {
    private static final WireConfig CONFIG = WireConfig.defaults();

    @Test
    void client_initChannel_sendsHelloAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel(WireInitializer.client(CONFIG,
                Hello.worker("w", null, 2), ChannelInboundHandlerAdapter::new));
        List<Frame> sent = WireTestSupport.decodeOutbound(channel);
        assertEquals(1, sent.size());
        assertEquals(MessageType.HELLO, sent.get(0).type());
        assertEquals(Hello.worker("w", null, 2), Hello.fromHeader(sent.get(0).header()));
        sent.forEach(Frame::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void applyOptions_bootstraps_setNoDelayKeepAliveAndWaterMarks() {
        WireConfig config = CONFIG.withWriteBufferWaterMark(1 << 20, 4 << 20);
        ServerBootstrap server = WireInitializer.applyOptions(new ServerBootstrap(), config);
        Bootstrap client = WireInitializer.applyOptions(new Bootstrap(), config);

        assertEquals(Boolean.TRUE, server.config().childOptions().get(ChannelOption.TCP_NODELAY));
        assertEquals(Boolean.TRUE, server.config().childOptions().get(ChannelOption.SO_KEEPALIVE));
        WriteBufferWaterMark marks = (WriteBufferWaterMark) server.config().childOptions()
                .get(ChannelOption.WRITE_BUFFER_WATER_MARK);
        assertEquals(1 << 20, marks.low());
        assertEquals(4 << 20, marks.high());
        assertEquals(Boolean.TRUE, client.config().options().get(ChannelOption.TCP_NODELAY));
        assertEquals((int) config.handshakeTimeout().toMillis(),
                client.config().options().get(ChannelOption.CONNECT_TIMEOUT_MILLIS));
    }

    @Test
    void loopback_anyPort_isLoopbackAddress() {
        assertTrue(WireInitializer.loopback(0).getAddress().isLoopbackAddress());
        assertThrows(IllegalArgumentException.class, () -> WireInitializer.loopback(70000));
    }

    @Test
    void wireConfig_defaults_matchDocumentedValues() {
        assertEquals(256 << 20, CONFIG.maxFrameLength());
        assertEquals(1 << 20, CONFIG.maxHeaderLength());
        assertEquals(Duration.ofSeconds(5), CONFIG.heartbeatInterval());
        assertEquals(3, CONFIG.missedHeartbeats());
        assertEquals(Duration.ofSeconds(15), CONFIG.readTimeout());
        assertEquals(Duration.ofSeconds(10), CONFIG.handshakeTimeout());
    }

    @Test
    void wireConfig_outOfRange_throwsIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withMaxFrameLength(1024));
        assertThrows(IllegalArgumentException.class,
                () -> CONFIG.withMaxFrameLength(WireConfig.MAX_FRAME_LENGTH_CEILING + 1));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withHeartbeat(Duration.ZERO, 3));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withHeartbeat(Duration.ofSeconds(1), 1));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withHandshakeTimeout(Duration.ofNanos(5)));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withWriteBufferWaterMark(10, 5));
        assertThrows(NullPointerException.class, () -> CONFIG.withHandshakeTimeout(null));
    }

    @Test
    void wireConfig_smallerFrameLimit_lowersHeaderLimitToFit() {
        WireConfig small = CONFIG.withMaxFrameLength(64 << 10);
        assertEquals((64 << 10) - Frame.FIXED_FIELDS_LENGTH, small.maxHeaderLength());
    }

    @Test
    void idleStateHandler_fromHeartbeat_usesNanosecondPrecision() {
        HeartbeatHandler heartbeat = new HeartbeatHandler(Duration.ofMillis(1500), 4);
        IdleStateHandler idle = heartbeat.newIdleStateHandler();
        assertEquals(1500, idle.getWriterIdleTimeInMillis());
        assertEquals(TimeUnit.MILLISECONDS.convert(6, TimeUnit.SECONDS), idle.getReaderIdleTimeInMillis());
    }
}
