package dev.batcher.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BatchStateTest {
    @Test
    void parse_toString_roundTrips() {
        for (BatchState s : new BatchState[] {
                BatchState.initial(0), new BatchState(-1, 5), new BatchState(Long.MIN_VALUE, Long.MAX_VALUE)}) {
            assertEquals(s, BatchState.parse(s.toString()));
            assertEquals(s.hashCode(), BatchState.parse(s.toString()).hashCode());
        }
        assertEquals("seed=42,batch=17", new BatchState(42, 17).toString());
    }

    @Test
    void parse_malformed_quotesTheTextAndTheForm() {
        for (String bad : new String[] {"", "42/17", "seed=x,batch=1", "seed=1,batch=-1", "batch=1,seed=2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchState.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") || e.getMessage().contains("batch: -1"), e.getMessage());
        }
    }

    @Test
    void next_incrementsOnlyTheBatch() {
        assertEquals(new BatchState(9, 4), new BatchState(9, 3).next());
    }
}
