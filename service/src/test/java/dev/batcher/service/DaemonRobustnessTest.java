package dev.batcher.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.worker.WorkerNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad peers lose their connection; the daemon keeps serving everyone else. */
@org.junit.jupiter.api.extension.ExtendWith(dev.batcher.client.protocol.LeakCheck.class)
@Timeout(60)
class DaemonRobustnessTest {

    private static int readUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
        }
        return total;
    }

    @Test
    void connection_garbageBytes_closedWhileOthersAreServed() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(WorkerNodeIntegrationTest.noLocalSlots())) {
            try (Socket s = new Socket(d.address().getAddress(), d.address().getPort())) {
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                readUntilClosed(s);
            }
            try (Socket s = new Socket(d.address().getAddress(), d.address().getPort())) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(Integer.MAX_VALUE); // a 2 GiB frame: refused from its length alone
                out.flush();
                readUntilClosed(s);
            }
            try (Socket s = new Socket(d.address().getAddress(), d.address().getPort())) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                byte[] header = "{\"op\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(1 + 1 + 1 + 8 + 4 + header.length);
                out.writeByte(0xBA);
                out.writeByte(0x01);
                out.writeByte(0);
                out.writeLong(0);
                out.writeInt(header.length);
                out.write(header); // a HELLO whose header is not JSON
                out.flush();
                readUntilClosed(s);
            }
            try (WorkerNode w = WorkerNodeIntegrationTest.worker(d, "good", 1)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> d.manager().pool().loop().submit(() -> d.manager().pool().slots()).get() == 1);
                ManagedBatcher b = d.manager().create("train",
                        BatcherSpec.of(TestData.dataset().toString(), WorkerNodeIntegrationTest.SOURCE));
                b.start(BatchState.initial(1)).get(10, TimeUnit.SECONDS);
                TakeOutcome.Next next = assertInstanceOf(TakeOutcome.Next.class,
                        b.take(BatchState.initial(1)).get(30, TimeUnit.SECONDS));
                next.batch().release();
                assertEquals(BatchState.initial(1).next(), next.state());
                b.stop().get();
            }
        }
    }
}
