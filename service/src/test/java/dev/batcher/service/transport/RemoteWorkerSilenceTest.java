package dev.batcher.service.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** What a remote worker tells a batcher about its silence: when it was last heard, and a probe that makes it speak. */
class RemoteWorkerSilenceTest {

    @Test
    void lastHeardNanos_anyBytesRead_moveIt() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        RemoteWorker worker = new RemoteWorker("w#1", 1, channel, new WorkerPool(channel.eventLoop()), ResultShapes.none(),
                false, null);
        channel.pipeline().addLast(worker);
        assertEquals("heard", channel.pipeline().names().get(0),
                "the stamp sits at the head of the pipeline, before the heartbeat handler swallows a PONG");
        long before = worker.lastHeardNanos();
        long waitUntil = System.nanoTime() + 1_000_000L;
        while (System.nanoTime() - waitUntil < 0) {
            Thread.onSpinWait(); // nanoTime must move between the two stamps
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})); // the first bytes of any frame
        assertTrue(worker.lastHeardNanos() - before > 0, "heard when bytes arrive");
        channel.finishAndReleaseAll();
    }

    @Test
    void probe_activeConnection_sendsAPing() {
        EmbeddedChannel channel = new EmbeddedChannel();
        RemoteWorker worker = new RemoteWorker("w#1", 1, channel, new WorkerPool(channel.eventLoop()), ResultShapes.none(),
                false, null);
        channel.pipeline().addLast(worker);
        worker.probe();
        Frame ping = assertInstanceOf(Frame.class, channel.readOutbound());
        assertEquals(MessageType.PING, ping.type());
        ping.release();
        channel.close();
        worker.probe();
        assertNull(channel.readOutbound(), "a closed connection is not probed");
        channel.finishAndReleaseAll();
    }
}
