package dev.batcher.service.manager;

/**
 * The guard against hedge storms: among a batcher's last {@value #WINDOW} dispatched jobs, at most
 * {@value #MAX_HEDGES} are hedges (one in eight). When every job runs long at once (an overloaded
 * host, a cold cache everywhere) hedging would double the work just when there is least to spare; the
 * budget caps the extra work at an eighth of the jobs, and refills as first jobs are dispatched.
 * Eight hedges at once still cover a frozen worker of up to eight slots. Loop-confined.
 */
final class HedgeBudget {
    /** How many recent dispatches the budget is counted over. */
    static final int WINDOW = 64;
    /** Hedges allowed among the last {@value #WINDOW} dispatches. */
    static final int MAX_HEDGES = WINDOW / 8;

    private final boolean[] recent = new boolean[WINDOW];
    private int next;
    private int hedges;
    private long refused;

    /** Records a dispatched job, a hedge or a first one. */
    void dispatched(boolean hedge) {
        if (recent[next]) {
            hedges--;
        }
        recent[next] = hedge;
        if (hedge) {
            hedges++;
        }
        next = (next + 1) % WINDOW;
    }

    /** Returns whether one more hedge fits; counts a refusal if not. */
    boolean allows() {
        if (hedges < MAX_HEDGES) {
            return true;
        }
        refused++;
        return false;
    }

    /** Returns how many hedges are among the last {@value #WINDOW} dispatches. */
    int hedgesInWindow() {
        return hedges;
    }

    /** Returns how many hedges the budget has refused. */
    long refused() {
        return refused;
    }
}
