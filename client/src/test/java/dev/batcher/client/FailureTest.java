package dev.batcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** {@link Failure#describe()}: what {@code bin/batcher status} and the daemon's log show a user. */
class FailureTest {

    @Test
    void describe_withMessage_readsAsMessageAndCodeWithoutClassName() {
        Failure f = new Failure("dev.batcher.materializers.iteration.IterationException",
                "batchDuration: 45.0 s (expected: <= 30.0 s)", "at x", "manager", "seed=1,batch=3",
                "recording r1, file a.h5", 5);
        String text = f.describe();
        assertEquals("batchDuration: 45.0 s (expected: <= 30.0 s) [code=failed, worker=manager, state=seed=1,batch=3, "
                + "batch=recording r1, file a.h5, attempts=5]", text);
        assertFalse(text.contains("IterationException"), text);
    }

    @Test
    void describe_emptyMessage_fallsBackToClassName() {
        Failure f = new Failure("java.lang.NullPointerException", "", "", "w1", "seed=0,batch=0", "(not iterated)", 1);
        assertEquals("java.lang.NullPointerException [code=failed, worker=w1, state=seed=0,batch=0, "
                + "batch=(not iterated), attempts=1]", f.describe());
    }
}
