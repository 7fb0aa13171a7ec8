package dev.batcher.client.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/**
 * Heartbeats with time driven by the embedded channel's frozen ticker: the heartbeat handler sits
 * behind an idle detector, with no codec, so frames are observed as objects.
 */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class HeartbeatTest {
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final int MISSED = 3;

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel channel;

    private EmbeddedChannel start() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        HeartbeatHandler heartbeat = new HeartbeatHandler(INTERVAL, MISSED);
        channel.pipeline().addLast(heartbeat.newIdleStateHandler(), heartbeat, recorder);
        return channel;
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @AfterEach
    void release() {
        recorder.releaseAll();
        channel.finishAndReleaseAll();
    }

    @Test
    void writerIdle_afterInterval_sendsPingWithIncreasingIds() {
        start();
        advance(INTERVAL.minusMillis(1));
        assertNull(channel.readOutbound(), "nothing before the interval");

        advance(Duration.ofMillis(1));
        Frame first = channel.readOutbound();
        advance(INTERVAL);
        Frame second = channel.readOutbound();

        assertEquals(MessageType.PING, first.type());
        assertEquals(1, first.id());
        assertEquals(MessageType.PING, second.type());
        assertEquals(2, second.id());
        first.release();
        second.release();
    }

    @Test
    void writerIdle_recentWrite_postponesPing() {
        start();
        advance(INTERVAL.minusSeconds(1));
        channel.writeOutbound(Frame.of(MessageType.RESPONSE, 1));
        ReferenceCountUtil.release(channel.readOutbound());

        advance(Duration.ofSeconds(1));

        assertNull(channel.readOutbound(), "the write reset the writer idle time");
        advance(INTERVAL);
        Frame ping = channel.readOutbound();
        assertEquals(MessageType.PING, ping.type());
        ping.release();
    }

    @Test
    void channelRead_ping_answersPongWithSameIdAndSwallows() {
        start();
        Frame ping = Frame.of(MessageType.PING, 77);

        channel.writeInbound(ping);

        Frame pong = channel.readOutbound();
        assertEquals(MessageType.PONG, pong.type());
        assertEquals(77, pong.id());
        assertEquals(0, ping.refCnt());
        assertTrue(recorder.frames.isEmpty());
        pong.release();
    }

    @Test
    void channelRead_pong_swallowedAndReleased() {
        start();
        Frame pong = Frame.of(MessageType.PONG, 1);
        channel.writeInbound(pong);
        assertEquals(0, pong.refCnt());
        assertTrue(recorder.frames.isEmpty());
    }

    @Test
    void channelRead_otherFrame_passesOn() {
        start();
        channel.writeInbound(Frame.of(MessageType.BATCH, 4));
        assertEquals(MessageType.BATCH, recorder.frames.peek().type());
    }

    @Test
    void readerIdle_missedIntervals_closesAndFiresPeerTimeout() {
        start();
        advance(INTERVAL.multipliedBy(MISSED).minusMillis(1));
        assertTrue(channel.isOpen());

        advance(Duration.ofMillis(1));

        assertFalse(channel.isOpen());
        PeerTimeoutException e = assertInstanceOf(PeerTimeoutException.class, recorder.exceptions.get(0));
        assertEquals("heartbeat", e.phase());
        assertEquals(INTERVAL.multipliedBy(MISSED), e.timeout());
        assertTrue(e.getMessage().contains("15000 ms (3 heartbeat intervals of 5000 ms)"), e.getMessage());
        assertTrue(recorder.inactive);
        Frame last = null;
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(last);
            last = (Frame) msg;
        }
        assertEquals(MessageType.ERROR, last.type());
        assertEquals(ErrorFrames.CODE_TIMEOUT, ErrorFrames.toException(last).code());
        last.release();
    }

    @Test
    void readerIdle_pongsKeepArriving_staysOpen() {
        start();
        for (int i = 0; i < 10; i++) {
            advance(INTERVAL);
            Object ping = channel.readOutbound();
            ReferenceCountUtil.release(ping);
            channel.writeInbound(Frame.of(MessageType.PONG, i + 1));
        }
        assertTrue(channel.isOpen());
        assertTrue(recorder.exceptions.isEmpty());
    }

    @Test
    void writerIdle_handshakePending_sendsNoPing() throws Exception {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        WireConfig config = WireConfig.defaults().withHeartbeat(INTERVAL, MISSED)
                .withHandshakeTimeout(Duration.ofMinutes(1));
        WireInitializer.installClient(channel.pipeline(), config, Hello.client("c", null));
        channel.pipeline().addLast(recorder);
        ReferenceCountUtil.release(channel.readOutbound());

        advance(INTERVAL.multipliedBy(2));

        assertNull(channel.readOutbound(), "no PING while the handshake is under way");
    }
}
