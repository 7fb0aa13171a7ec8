/**
 * Annotation files as users have them, read into one value type, {@link
 * dev.batcher.materializers.annotations.Annotation} (onset, duration, text and where it was read).
 *
 * <p>Three readers, one per format:
 * <ul>
 *   <li>{@link dev.batcher.materializers.annotations.EdfAnnotations}: the time-stamped annotation lists
 *       (TALs) of an EDF+ or BDF+ file's {@code EDF Annotations} / {@code BDF Annotations} signal, from
 *       a separate annotation file (a Sleep-EDF hypnogram) or from a signal file's own annotation
 *       signal. The time-keeping annotation that opens each data record is not an event.</li>
 *   <li>{@link dev.batcher.materializers.annotations.NsrrXml}: the {@code ScoredEvents} of an NSRR XML
 *       file, read with a streaming (StAX) parser that refuses DTDs and external entities.</li>
 *   <li>{@link dev.batcher.materializers.annotations.BidsEvents}: a BIDS {@code *_events.tsv}; and
 *       {@link dev.batcher.materializers.annotations.BidsChannels}, the channel types of a BIDS
 *       {@code *_channels.tsv}.</li>
 * </ul>
 * Times are read from their decimal text into whole nanoseconds (no binary floating point), so that
 * annotations that abut in the file abut exactly here. Every fault is an {@link
 * dev.batcher.materializers.annotations.AnnotationException} naming the file, the place in it (line,
 * data record, event), the value and what was expected.
 */
package dev.batcher.materializers.annotations;
