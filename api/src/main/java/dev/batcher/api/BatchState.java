package dev.batcher.api;

/**
 * Where a batch source stands: the seed of its random stream and the index of the next batch. An
 * immutable value with a canonical text form, {@code seed=42,batch=17}, that {@link #parse} reads
 * back; store it in a training checkpoint and pass it to {@code take} to resume exactly there.
 *
 * <p>Sources derive everything a batch contains from {@code (seed, batch)} with a counter-based
 * random stream, so restarting at batch {@code k} costs the same as starting at batch 0.
 *
 * @param seed the seed of the random stream (ignored by sources that draw nothing at random)
 * @param batch the index of the next batch, counted from 0
 */
public record BatchState(long seed, long batch) {
    private static final String SEED = "seed=";
    private static final String BATCH = "batch=";

    /**
     * Checks the state.
     *
     * @throws IllegalArgumentException if {@code batch < 0}
     */
    public BatchState {
        if (batch < 0) {
            throw new IllegalArgumentException("batch: " + batch + " (expected: >= 0)");
        }
    }

    /**
     * Returns the state before the first batch of a stream.
     *
     * @param seed the stream's seed
     * @return {@code seed=<seed>,batch=0}
     */
    public static BatchState initial(long seed) {
        return new BatchState(seed, 0);
    }

    /** Returns the state after this one's batch. */
    public BatchState next() {
        return new BatchState(seed, Math.addExact(batch, 1));
    }

    /**
     * Parses the canonical text form.
     *
     * @param text a state such as {@code seed=42,batch=17}
     * @return the state
     * @throws IllegalArgumentException if the text is not of that form; the message quotes it
     */
    public static BatchState parse(String text) {
        String t = text == null ? "" : text.trim();
        int comma = t.indexOf(',');
        if (comma < 0 || !t.startsWith(SEED) || !t.startsWith(BATCH, comma + 1)) {
            throw new IllegalArgumentException(
                    "state: '" + text + "' (expected: seed=<long>,batch=<long >= 0>, as BatchState.toString() writes it)");
        }
        try {
            long seed = Long.parseLong(t.substring(SEED.length(), comma));
            long batch = Long.parseLong(t.substring(comma + 1 + BATCH.length()));
            return new BatchState(seed, batch);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "state: '" + text + "' (expected: seed=<long>,batch=<long >= 0>)", e);
        }
    }

    /** Returns the canonical text form, {@code seed=<seed>,batch=<batch>}. */
    @Override
    public String toString() {
        return SEED + seed + "," + BATCH + batch;
    }
}
