package dev.batcher.service;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherTimeoutException;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.ConnectionLostException;
import dev.batcher.api.BatchState;
import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A training client in a process of its own, for daemon-restart tests, with default client settings
 * (the token comes from the daemon's token file). It creates and starts a batcher, then for every line
 * {@code N} on stdin takes batches until it has taken N, printing {@code BATCH i SHA256} for each and
 * {@code AT N} when there; a take that fails because the connection is lost is taken again (with the same
 * state), as a training loop does. Arguments: host, port, batcher, dataset, seed.
 */
public final class RestartClientMain {
    private RestartClientMain() {}

    public static void main(String[] args) throws Exception {
        try (BatcherClient c = BatcherClient.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                ClientOptions.defaults())) {
            BatcherHandle h = c.batcher(args[2]);
            h.create(BatcherSpec.of(args[3], WorkerNodeIntegrationTest.SOURCE));
            BatchState s = BatchState.initial(Long.parseLong(args[4]));
            h.start(s);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int taken = 0;
            String line;
            while ((line = in.readLine()) != null) {
                int target = Integer.parseInt(line.strip());
                while (taken < target) {
                    Taken.Next n = takeRetrying(h, s);
                    try (Batch b = n.batch()) {
                        System.out.println("BATCH " + taken + " " + sha256(b));
                    }
                    s = n.state();
                    taken++;
                }
                System.out.println("AT " + taken);
                System.out.flush();
            }
        }
    }

    private static Taken.Next takeRetrying(BatcherHandle h, BatchState s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                return (Taken.Next) h.take(s);
            } catch (ConnectionLostException | BatcherTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("RETRY " + e.getMessage());
                Thread.sleep(200); // a training loop's pause before it tries again, not a synchronisation
            }
        }
    }

    static String sha256(Batch b) throws Exception {
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        var x = b.x();
        for (int i = 0; i < x.remaining(); i++) {
            d.update(buf.clear().putInt(0, Float.floatToRawIntBits(x.get(x.position() + i))).array());
        }
        var y = b.y();
        for (int i = 0; i < y.remaining(); i++) {
            d.update(buf.clear().putInt(0, y.get(y.position() + i)).array());
        }
        return java.util.HexFormat.of().formatHex(d.digest());
    }
}
