package dev.batcher.materializers.format;

import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;

import java.util.Map;

/**
 * Reads the files of one {@link RecordingFormat} for one dataset, for many threads at once: describes
 * a file's signals and labels and reads windows of them. Files are named relative to the dataset, with
 * forward slashes; {@link FileAccess#id} resolves (and checks) them. Datasets are paths inside a file,
 * normalised by {@link RecordingFiles} (a leading slash, no trailing one): for HDF5 the dataset's path,
 * for formats without datasets a name the format documents (EDF: one signal group per sample rate).
 *
 * <p>Every method is thread-safe and fails with a {@link RecordingReadException} naming the file, the
 * dataset, the window and the fault. Nothing here checks label values against their encoding, nor
 * serves label grids recorded at index time: {@link RecordingFiles} does both, for every format.
 */
public interface RecordingReader extends AutoCloseable {
    /**
     * Returns the recording id the file names for itself, or null if it names none (then the
     * format's {@link RecordingFormat#defaultRecording} applies).
     *
     * @param file the file name
     * @return the id, or null
     * @throws RecordingReadException if the file cannot be opened or its id is invalid
     */
    String recording(String file);

    /**
     * Lists the signal datasets of a file in a deterministic order, each mapped to the label dataset
     * of the same file it is trained against, or to null if the file holds no labels for it (labels
     * then come from elsewhere at index time, see {@link LabelGrid}).
     *
     * @param file the file name
     * @return signal dataset to label dataset (or null), in order
     * @throws RecordingReadException if the file cannot be opened or is invalid
     */
    Map<String, String> signalDatasets(String file);

    /**
     * Describes a signal dataset, checked.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @return its description
     * @throws RecordingReadException if the file or dataset is missing or invalid
     */
    SignalInfo signalInfo(String file, String dataset);

    /**
     * Describes a label dataset stored in the file, checked.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @return its description
     * @throws RecordingReadException if the file or dataset is missing or invalid
     */
    LabelInfo labelInfo(String file, String dataset);

    /**
     * Returns where the elements of a dataset lie if they can be read with plain byte ranges of the
     * {@link StorageLayout} kind (a contiguous {@code [rows, columns]} array), else null.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @return the layout or null
     * @throws RecordingReadException as {@link #signalInfo}
     */
    StorageLayout layout(String file, String dataset);

    /**
     * Reads a window of a signal dataset, and only that window, as stored (int16 or float32, not
     * decoded with resolution and offset); the window is checked against the dataset first.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @param window rows and samples to read ({@code rows >= 1}, {@code count >= 1})
     * @return the samples, {@code [rows][count]}; the caller owns the arrays
     * @throws RecordingReadException with reason {@code OUT_OF_RANGE} if the window leaves the dataset,
     *     {@code UNREADABLE} if the file is truncated or unreadable, {@code INTERRUPTED}, and the
     *     reasons of {@link #signalInfo}
     */
    RawWindow readSignal(String file, String dataset, Window window);

    /**
     * Reads a window as {@link #readSignal(String, String, Window)} does, into {@code into}'s arrays where
     * this reader can: the window is then valid until this thread's next read into {@code into}. The default
     * allocates, as the three-argument form.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @param window rows and samples to read ({@code rows >= 1}, {@code count >= 1})
     * @param into this thread's buffers
     * @return the samples, {@code [rows][count]}, in {@code into}'s arrays or new ones
     * @throws RecordingReadException as {@link #readSignal(String, String, Window)}
     */
    default RawWindow readSignal(String file, String dataset, Window window, RawBuffers into) {
        return readSignal(file, dataset, window);
    }

    /**
     * Reads every label channel of samples {@code [start, start + count)} of a label dataset stored
     * in the file, as ints.
     *
     * @param file the file name
     * @param dataset the normalised dataset path
     * @param start the first label sample
     * @param count the number of label samples ({@code >= 1})
     * @return the labels, {@code [labelChannels][count]}
     * @throws RecordingReadException as {@link #readSignal}
     */
    int[][] readLabels(String file, String dataset, long start, int count);

    /**
     * Takes what index time recorded about a signal dataset ({@code recordings.json}), so that reads of
     * objects in storage need not open the file first. Readers that have no use for it ignore it.
     *
     * @param file the file name
     * @param info the signal's description
     * @param layout its recorded layout, or null
     * @throws IllegalArgumentException if the layout disagrees with {@code info}
     */
    default void register(String file, SignalInfo info, StorageLayout layout) {
    }

    /**
     * Takes what index time recorded about a label dataset stored in the file (see
     * {@link #register(String, SignalInfo, StorageLayout)}).
     *
     * @param file the file name
     * @param info the labels' description
     * @param layout its recorded layout, or null
     * @throws IllegalArgumentException if the layout disagrees with {@code info}
     */
    default void register(String file, LabelInfo info, StorageLayout layout) {
    }

    /**
     * Returns the executor to read several windows at the same time with, or null when reading one
     * after another is best.
     */
    default java.util.concurrent.Executor fetchExecutor() {
        return null;
    }

    /** Closes the reader's open files; reads in progress finish first. Closing twice does nothing. */
    @Override
    void close();
}
