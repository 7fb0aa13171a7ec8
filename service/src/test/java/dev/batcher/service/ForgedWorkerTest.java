package dev.batcher.service;

import dev.batcher.api.BatchShapes;
import dev.batcher.materializers.iteration.BatchSources;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.JobResult;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireInitializer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that answers every job with a result of shape [1, 1, 1] (8 well-formed bytes) joins a
 * daemon over loopback beside the daemon's own slot: its results are rejected and counted, it is
 * dropped, its jobs are done by the honest slot, and the client gets exactly LocalBatcher's batches.
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(120)
class ForgedWorkerTest {
    /** Answers each JOB with a forged JOB_RESULT. */
    static final class Forger extends SimpleChannelInboundHandler<Frame> {
        final AtomicInteger jobs = new AtomicInteger();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
            if (frame.type() == MessageType.JOB) {
                jobs.incrementAndGet();
                BatchShapes forged = new BatchShapes(new int[] {1, 1, 1}, new int[] {1, 1, 1});
                ctx.writeAndFlush(new JobResult(forged).toFrame(frame.id(), Unpooled.buffer(8).writeZero(8)));
            }
        }
    }

    @Test
    void jobResult_shapesOtherThanTheSpecImplies_rejectedAndBatchesIdenticalToLocal() throws Exception {
        SourceConfig source = new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null);
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1)
                .withSharedMemory(null);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Forger forger = new Forger();
        Dataset dataset = Dataset.load(TestData.dataset());
        try (BatcherDaemon d = BatcherDaemon.start(o);
                RecordingFiles files = new RecordingFiles(List.of(dataset.root()), 8);
                LocalBatcher local = new LocalBatcher(BatchSources.build(source, dataset.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.scalar()))) {
            WireConfig config = WireConfig.defaults();
            Channel forged = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(WireInitializer.client(config, Hello.worker("forger", null, 4), () -> forger))
                    .connect(d.address()).sync().channel();
            HandshakeHandler.handshakeFuture(forged).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> BatcherServiceTest.freeSlots(d) == 5);

            try (BatcherClient client = BatcherClient.connect(d.address())) {
                BatcherHandle b = client.batcher("forged");
                b.create(BatcherServiceTest.spec(source));
                BatchState s = BatchState.initial(99);
                b.start(s);
                BatchState l = s;
                for (int i = 0; i < 8; i++) {
                    Taken remote = b.take(s);
                    Taken expected = local.take(l);
                    s = ((Taken.Next) remote).state();
                    l = ((Taken.Next) expected).state();
                    assertEquals(BatcherServiceTest.digest(expected), BatcherServiceTest.digest(remote), "batch " + i);
                }
                b.stop();
            }
            assertTrue(forger.jobs.get() >= 1, "the forger was sent jobs");
            assertTrue(d.rejectedResults() >= 1, "rejected: " + d.rejectedResults());
            assertTrue(forged.closeFuture().await(10, TimeUnit.SECONDS), "the forger is dropped");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
