/**
 * Annotations as dense labels: the label grid that batches use, worked out at index time from
 * hypnograms and event files.
 *
 * <p>{@link dev.batcher.materializers.labels.StageMap} says which class each annotation text means
 * (the built-in AASM map, W=0 N1=1 N2=2 N3=3 R=4, overridable by a JSON file); {@link
 * dev.batcher.materializers.labels.StageGrid} turns a recording's annotations into one label per epoch
 * (30 s by default) by the AASM rule: an epoch takes the stage that covers more than half of it, and
 * -1 (no label) otherwise. Overlapping annotations must agree; two stages over the same time are a
 * {@link dev.batcher.materializers.labels.LabelException} naming both. The rules and the map's JSON
 * schema are in {@code docs/dataset-format.md}.
 */
package dev.batcher.materializers.labels;
