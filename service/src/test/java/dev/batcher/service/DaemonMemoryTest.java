package dev.batcher.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.MemoryBudget;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.Request;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireTestSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's memory stays bounded whatever a peer does, measured with the allocators' own metrics
 * (bytes in use), not the process's RSS: a client that pipelines takes and never reads, and many
 * connections that each send the start of a huge frame.
 */
@Timeout(120)
class DaemonMemoryTest {
    private static final int MIB = 1 << 20;

    private static BatcherDaemon.Options options() {
        return BatcherDaemon.Options.defaults().withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withManagerSlots(1).withSharedMemory(null);
    }

    /** Connects a raw socket and does the client handshake by hand; the caller closes it. */
    private static Socket handshake(InetSocketAddress address) throws IOException {
        return handshake(address, Hello.client("raw", null));
    }

    /** Connects a raw socket and does a handshake with {@code hello} by hand; the caller closes it. */
    private static Socket handshake(InetSocketAddress address, Hello hello) throws IOException {
        Socket s = new Socket(address.getAddress(), address.getPort());
        s.setSoTimeout(10_000);
        write(s.getOutputStream(), hello.toFrame());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int length = in.readInt();
        in.skipNBytes(length); // WELCOME
        return s;
    }

    private static void write(OutputStream out, Frame frame) throws IOException {
        ByteBuf bytes = WireTestSupport.encode(frame);
        try {
            out.write(ByteBufUtil.getBytes(bytes));
        } finally {
            bytes.release();
        }
    }

    private static long pooledDirect() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    @Test
    void takes_pipelinedByAClientThatNeverReads_daemonHoldsAFewBatches() throws Exception {
        // 32 × 2 channels × 3840 samples float32: about 1 MiB a batch; 120 of them would be 120 MiB.
        SourceConfig source = new SourceConfig.Random(32, 30, null, "fill:C3,C4", null, null);
        try (BatcherDaemon d = BatcherDaemon.start(options());
                BatcherClient client = BatcherClient.connect(d.address())) {
            BatcherHandle b = client.batcher("greedy");
            b.create(BatcherServiceTest.spec(source).withCapacity(4));
            BatchState s = BatchState.initial(5);
            b.start(s);
            long before = pooledDirect();
            try (Socket greedy = handshake(d.address())) {
                greedy.setReceiveBufferSize(64 << 10);
                OutputStream out = greedy.getOutputStream();
                for (int i = 0; i < 120; i++) {
                    write(out, new Request.Take("greedy", s).toFrame(i + 1));
                    s = s.next();
                }
                out.flush();
                // Answers flow until the socket buffers and the per-client limit are full, then stop.
                await().atMost(Duration.ofSeconds(30)).until(() -> b.status().taken() >= 4);
                long bound = 24L * MIB; // 4 outstanding + 4 buffered (capacity) + in flight: ~10 MiB
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
                        .until(() -> pooledDirect() - before < bound);
                long taken = b.status().taken();
                assertTrue(taken < 40, "takes answered while the client reads nothing: " + taken);
                System.out.printf("non-reading client, 120 takes of 0.94 MiB: %d answered, pooled direct memory +%.1f MiB%n",
                        taken, (pooledDirect() - before) / (double) MIB);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> pooledDirect() - before < 12L * MIB);
            b.stop();
        }
    }

    @Test
    void partialFrames_onManyConnections_boundedByTheBudgetAndReturnedOnClose() throws Exception {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        BatcherDaemon.Options o = options().withWire(WireConfig.defaults().withMemoryBudget(96L * MIB));
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            MemoryBudget budget = d.frameBudget();
            long before = ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = handshake(d.address(), Hello.worker("raw-" + i, null, 1));
                    sockets.add(s);
                    // The length of a 40 MiB job result (the one message that may be tensor-sized), its fixed
                    // fields and 1 MiB of it: never finished.
                    ByteBuf start = io.netty.buffer.Unpooled.buffer();
                    start.writeInt(40 * MIB).writeByte(Frame.MAGIC).writeByte(MessageType.JOB_RESULT.code()).writeByte(0)
                            .writeLong(1).writeInt(0).writeZero(MIB);
                    try {
                        s.getOutputStream().write(ByteBufUtil.getBytes(start));
                    } catch (java.net.SocketException refused) {
                        // The daemon refuses a frame beyond the budget as soon as its length arrives and closes
                        // the connection, possibly while the rest of the megabyte is still being written: that
                        // refusal is what budget.refused() counts below.
                    } finally {
                        start.release();
                    }
                }
                // Two 40 MiB frames fit in 96 MiB; the others are refused and their connections closed.
                await().atMost(Duration.ofSeconds(20)).until(() -> budget.refused() == 2);
                assertEquals(80L * MIB, budget.used());
                long held = ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory() - before;
                System.out.printf("4 connections × 40 MiB partial frames, budget 96 MiB: reserved %d MiB, allocator +%.1f MiB%n",
                        budget.used() / MIB, held / (double) MIB);
                assertTrue(held <= 96L * MIB, "allocator holds " + held + " bytes");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> budget.used() == 0);
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory() - before < 8L * MIB);
        }
    }

    /** Starts a frame of {@code length} of {@code type} and sends 1 MiB of it, never finishing it. */
    private static void startFrame(Socket s, int length, MessageType type) throws IOException {
        ByteBuf start = io.netty.buffer.Unpooled.buffer();
        start.writeInt(length).writeByte(Frame.MAGIC).writeByte(type.code()).writeByte(0).writeLong(1).writeInt(0)
                .writeZero(MIB);
        try {
            s.getOutputStream().write(ByteBufUtil.getBytes(start));
        } catch (java.net.SocketException refused) {
            // Refused as soon as its length (or type) arrived, and closed while the rest was still being written.
        } finally {
            start.release();
        }
    }

    /** Reads until the daemon closes the connection; returns the first frame's type code, or -1 if none came. */
    private static int closedWith(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        try {
            in.readInt();
            in.readByte();
            int type = in.readUnsignedByte();
            in.skipNBytes(in.available());
            while (in.read() >= 0) {
                // until EOF
            }
            return type;
        } catch (java.io.EOFException | java.net.SocketException e) {
            return -1;
        }
    }

    @Test
    void partialFrames_twoHugeRequestsFromAnAuthenticatedClient_refusedAsTheirLengthArrivesNothingReserved() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(options())) {
            MemoryBudget budget = d.frameBudget();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = handshake(d.address());
                    sockets.add(s);
                    startFrame(s, 200 * MIB, MessageType.REQUEST);
                }
                for (Socket s : sockets) {
                    int type = closedWith(s);
                    assertTrue(type == MessageType.ERROR.code() || type == -1, "an ERROR, then closed: " + type);
                }
                // Before frame limits by role: 400 MiB (both frames reserved in full, connections kept open).
                System.out.printf("2 client connections x 200 MiB partial REQUEST frames: the daemon reserved %d MiB%n",
                        budget.used() / MIB);
                assertEquals(0, budget.used(), "nothing reserved for a client frame beyond its limit");
                assertEquals(0, budget.refused(), "refused by the client limit, before the budget is asked");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void partialFrames_hugeJobFailureFromAWorker_refusedAsItsTypeArrives() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(options())) {
            MemoryBudget budget = d.frameBudget();
            try (Socket s = handshake(d.address(), Hello.worker("raw", null, 1))) {
                startFrame(s, 200 * MIB, MessageType.JOB_FAILURE);
                int type = closedWith(s);
                assertTrue(type == MessageType.ERROR.code() || type == -1, "an ERROR, then closed: " + type);
                assertEquals(0, budget.used());
            }
        }
    }
}
