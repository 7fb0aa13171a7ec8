package dev.batcher.service.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The guard against hedge storms: at most one hedge in eight of a batcher's last 64 dispatches. */
class HedgeBudgetTest {
    private final HedgeBudget budget = new HedgeBudget();

    @Test
    void allows_eightHedgesAmongTheLast64Dispatches_theNinthRefused() {
        for (int i = 0; i < HedgeBudget.MAX_HEDGES; i++) {
            assertTrue(budget.allows(), "hedge " + i);
            budget.dispatched(true);
        }
        assertEquals(8, budget.hedgesInWindow());
        assertFalse(budget.allows());
        assertEquals(1, budget.refused());
    }

    @Test
    void allows_hedgesLeaveTheWindow_budgetRefills() {
        for (int i = 0; i < HedgeBudget.MAX_HEDGES; i++) {
            budget.dispatched(true);
        }
        for (int i = 0; i < HedgeBudget.WINDOW - HedgeBudget.MAX_HEDGES; i++) {
            budget.dispatched(false);
        }
        assertFalse(budget.allows(), "the 8 hedges are still among the last 64");
        budget.dispatched(false); // the oldest hedge leaves the window
        assertEquals(7, budget.hedgesInWindow());
        assertTrue(budget.allows());
    }
}
