package dev.batcher.samples.sleep;

import dev.batcher.api.BatchState;

/**
 * Called by the trainer after every training step (after the step's checkpoint, if it wrote one), on
 * the training thread. An exception thrown here ends the run without any further checkpoint, like a
 * crash: tests use that to abandon a run.
 */
@FunctionalInterface
public interface StepListener {

    /**
     * Reports a finished step.
     *
     * @param step the steps done so far, counted from the start of training (not of this run)
     * @param state the state the next take starts from
     * @param loss the step's mean cross-entropy
     * @param checkpointed whether a checkpoint of this step was just written
     */
    void afterStep(long step, BatchState state, double loss, boolean checkpointed);

    /** Returns a listener that does nothing. */
    static StepListener none() {
        return (step, state, loss, checkpointed) -> { };
    }
}
