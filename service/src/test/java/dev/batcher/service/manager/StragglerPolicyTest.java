package dev.batcher.service.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchShapes;
import dev.batcher.service.pool.Materialized;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hedging rules, judged on durations handed in (no clock, no sleeps). */
@Timeout(30)
class StragglerPolicyTest {
    private static final long MS = 1_000_000L;
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final StragglerPolicy policy = new StragglerPolicy(loop, true);

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void recordJobs(int n, long nanos) {
        for (int i = 0; i < n; i++) {
            policy.record(nanos);
        }
    }

    @Test
    void judge_fewerThanMinSamples_neverHedges() {
        recordJobs(StragglerPolicy.MIN_SAMPLES - 1, 100 * MS);
        assertEquals(-1, policy.p95());
        assertEquals(-1, policy.stragglerThreshold());
        assertNull(policy.judge(10_000 * MS, true, 10, 3));
    }

    @Test
    void record_window_p95IsOverTheLast64Jobs() {
        recordJobs(StragglerPolicy.MIN_SAMPLES, 100 * MS);
        assertEquals(100 * MS, policy.p95());
        recordJobs(3, 1000 * MS); // 3 of 11 slow: above the 95th percentile
        assertEquals(1000 * MS, policy.p95());
        recordJobs(StragglerPolicy.RECENT_JOBS, 40 * MS); // the slow ones leave the window
        assertEquals(40 * MS, policy.p95());
    }

    @Test
    void judge_anyJob_hedgedAtFactorTimesP95() {
        recordJobs(20, 100 * MS);
        assertEquals(300 * MS, policy.stragglerThreshold());
        assertNull(policy.judge(299 * MS, false, 5, 3));
        assertEquals(StragglerPolicy.Reason.STRAGGLER, policy.judge(300 * MS, false, 0, 3));
    }

    @Test
    void judge_headOfLine_hedgedAtFactorTimesP95OverParallelism() {
        recordJobs(20, 100 * MS);
        assertEquals(100 * MS, policy.headThreshold(3));
        assertEquals(150 * MS, policy.headThreshold(2));
        assertEquals(300 * MS, policy.headThreshold(0), "no slots counts as one");
        assertNull(policy.judge(99 * MS, true, 0, 3));
        assertEquals(StragglerPolicy.Reason.HEAD_OF_LINE, policy.judge(100 * MS, true, 0, 3));
        assertNull(policy.judge(100 * MS, false, 0, 3), "a job the stream does not wait for keeps the straggler rule");
    }

    @Test
    void judge_headOvertakenBySlotsLaterResults_hedgedAfterTheFloor() {
        recordJobs(20, 100 * MS);
        assertNull(policy.judge(60 * MS, true, 2, 3));
        assertEquals(StragglerPolicy.Reason.OVERTAKEN, policy.judge(60 * MS, true, 3, 3));
        assertNull(policy.judge(StragglerPolicy.FLOOR_NANOS - 1, true, 3, 3), "never before the floor");
        assertNull(policy.judge(60 * MS, false, 3, 3), "only the head of line");
    }

    @Test
    void judge_objectStorageDataset_onlyTheStragglerRule() {
        StragglerPolicy s3 = new StragglerPolicy(loop, false);
        for (int i = 0; i < 20; i++) {
            s3.record(100 * MS);
        }
        assertNull(s3.judge(200 * MS, true, 0, 3), "no head-of-line hedge: a hedge would fetch the file again");
        assertNull(s3.judge(200 * MS, true, 3, 3), "no overtaken hedge either");
        assertEquals(StragglerPolicy.Reason.STRAGGLER, s3.judge(300 * MS, true, 0, 3));
    }

    @Test
    void judge_fastJobs_floorHolds() {
        recordJobs(20, 1 * MS);
        assertEquals(StragglerPolicy.FLOOR_NANOS, policy.stragglerThreshold());
        assertEquals(StragglerPolicy.FLOOR_NANOS, policy.headThreshold(4));
        assertNull(policy.judge(StragglerPolicy.FLOOR_NANOS - 1, true, 0, 4));
        assertEquals(StragglerPolicy.Reason.STRAGGLER, policy.judge(StragglerPolicy.FLOOR_NANOS, true, 0, 4));
    }

    @Test
    void judge_fastJobs_headThresholdScalesWithTheJobsNotA50msFloor() {
        recordJobs(20, 6 * MS); // a fast machine: 6 ms jobs, 3 slots, a 2 ms batch time at the client
        assertEquals(6 * MS, policy.headThreshold(3));
        assertEquals(18 * MS, policy.stragglerThreshold());
        assertNull(policy.judge(5 * MS, true, 0, 3));
        assertEquals(StragglerPolicy.Reason.HEAD_OF_LINE, policy.judge(7 * MS, true, 0, 3));
        assertEquals(StragglerPolicy.Reason.STRAGGLER, policy.judge(19 * MS, false, 0, 3));
        assertTrue(StragglerPolicy.FLOOR_NANOS <= 5 * MS, "the floor is only the timer's granularity");
    }

    @Test
    void headThreshold_manySlots_neverUnderTheP95() {
        recordJobs(20, 100 * MS);
        assertEquals(100 * MS, policy.headThreshold(6), "3 x p95 / 6 would hedge jobs that are not late");
        assertEquals(100 * MS, policy.headThreshold(16));
        assertNull(policy.judge(99 * MS, true, 0, 16));
    }

    @Test
    void median_recentJobs_middleValue() {
        assertEquals(-1, policy.median());
        recordJobs(10, 10 * MS);
        recordJobs(5, 30 * MS);
        assertEquals(10 * MS, policy.median());
        recordJobs(10, 30 * MS);
        assertEquals(30 * MS, policy.median());
    }

    @Test
    void periodNanos_aQuarterOfTheHeadThresholdWithinBounds() {
        assertEquals(250 * MS, policy.periodNanos(3), "before any samples");
        recordJobs(20, 100 * MS);
        assertEquals(25 * MS, policy.periodNanos(3));
        recordJobs(64, 10_000 * MS);
        assertEquals(1000 * MS, policy.periodNanos(1));
    }

    @Test
    void arm_twice_schedulesOneCheck_cancelDropsIt() throws Exception {
        recordJobs(20, 20 * MS); // period 5 ms
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        loop.submit(() -> {
            policy.arm(3, () -> {
                runs.incrementAndGet();
                ran.countDown();
            });
            policy.arm(3, runs::incrementAndGet);
        }).sync();
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        loop.submit(() -> { }).sync(); // anything scheduled with it has had its turn
        assertEquals(1, runs.get());

        AtomicInteger cancelled = new AtomicInteger();
        loop.submit(() -> {
            policy.arm(3, cancelled::incrementAndGet);
            policy.cancel();
        }).sync();
        CountDownLatch later = new CountDownLatch(1);
        loop.schedule(later::countDown, 50, TimeUnit.MILLISECONDS);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(0, cancelled.get());
    }

    private static WindowEntry running(long startedNanos) {
        WindowEntry e = new WindowEntry(null, null, null, false);
        e.attempts.add(new WindowEntry.Attempt(null, 1, startedNanos, false));
        return e;
    }

    private static WindowEntry done() {
        WindowEntry e = new WindowEntry(null, null, null, false);
        e.settled = true;
        e.result = new Materialized(new BatchShapes(new int[] {1}, new int[] {1}), Unpooled.buffer(8));
        return e;
    }

    @Test
    void pick_window_headOfLineIsTheFirstBatchWithoutItsResult() {
        recordJobs(20, 100 * MS); // straggler threshold 300 ms, head of line 100 ms with 3 slots
        long now = 1_000 * MS;
        WindowEntry taken = done();
        WindowEntry head = running(now - 120 * MS);
        WindowEntry later = running(now - 120 * MS);
        WindowEntry straggler = running(now - 300 * MS);
        WindowEntry hedgedAlready = running(now - 900 * MS);
        hedgedAlready.hedged = true;
        List<StragglerPolicy.Pick> picks = policy.pick(List.of(taken, head, later, straggler, hedgedAlready), now, 3);
        assertEquals(2, picks.size());
        assertSame(head, picks.get(0).entry());
        assertEquals(StragglerPolicy.Reason.HEAD_OF_LINE, picks.get(0).reason());
        assertEquals(120 * MS, picks.get(0).ranNanos());
        assertSame(straggler, picks.get(1).entry());
        assertEquals(StragglerPolicy.Reason.STRAGGLER, picks.get(1).reason());
        taken.result.release();
    }

    @Test
    void pick_laterBatchesDone_headCountsAsOvertaken() {
        recordJobs(20, 100 * MS);
        long now = 1_000 * MS;
        WindowEntry head = running(now - 60 * MS);
        List<WindowEntry> window = List.of(head, done(), done(), running(now - 60 * MS), done());
        List<StragglerPolicy.Pick> picks = policy.pick(window, now, 3);
        assertEquals(1, picks.size());
        assertSame(head, picks.get(0).entry());
        assertEquals(StragglerPolicy.Reason.OVERTAKEN, picks.get(0).reason());
        assertEquals(3, picks.get(0).laterDone());
        assertTrue(policy.pick(window, now, 4).isEmpty(), "3 later results are not enough with 4 slots");
        window.forEach(e -> {
            if (e.result != null) {
                e.result.release();
            }
        });
    }
}
