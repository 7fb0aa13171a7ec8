package dev.batcher.service;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.ClientOptions;
import dev.batcher.client.ShmProbe;
import dev.batcher.api.BatchState;
import dev.batcher.api.Taken;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A training client in a process of its own, for SIGKILL tests: takes {@code count} batches of a
 * started batcher without closing them, prints {@code HELD n SHM m} and waits to be killed (exits by
 * itself after two minutes).
 * Arguments: host, port, batcher, seed, count.
 */
public final class HoldingClientMain {
    private HoldingClientMain() {}

    public static void main(String[] args) {
        BatcherClient c = BatcherClient.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), ClientOptions.defaults());
        BatcherHandle h = c.batcher(args[2]);
        BatchState s = BatchState.initial(Long.parseLong(args[3]));
        List<Taken.Next> held = new ArrayList<>();
        int shm = 0;
        for (int i = 0; i < Integer.parseInt(args[4]); i++) {
            Taken.Next n = (Taken.Next) h.take(s);
            held.add(n);
            shm += ShmProbe.inSharedMemory(n.batch()) ? 1 : 0;
            s = n.state();
        }
        System.out.println("HELD " + held.size() + " SHM " + shm);
        System.out.flush();
        // Wait to be killed; never outlive a test that forgot to kill it by more than two minutes.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(deadline - System.nanoTime());
        }
        System.exit(2);
    }
}
