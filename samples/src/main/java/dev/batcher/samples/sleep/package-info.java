/**
 * A sample training job: {@link dev.batcher.samples.sleep.SleepStageTrainer} trains a sleep-stage
 * classifier (softmax regression or a small MLP in ojalgo) on per-channel log band powers computed
 * where the batches are materialised, with batches from {@code take(state)} of a {@link
 * dev.batcher.api.Batcher} opened through a {@link
 * dev.batcher.samples.sleep.BatcherFactory}, progress lines that show how much of the time goes to
 * waiting for data, and atomic, exactly resumable {@link dev.batcher.samples.sleep.Checkpoint}s.
 */
package dev.batcher.samples.sleep;
