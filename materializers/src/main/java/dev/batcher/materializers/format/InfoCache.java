package dev.batcher.materializers.format;

import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What {@link RecordingFiles} knows of each dataset of each file: the signal and label metadata it
 * parsed or index time recorded, and the label grids built from annotation files. The first value
 * recorded for a dataset stays. Thread-safe.
 */
final class InfoCache {
    private final ConcurrentHashMap<Key, SignalInfo> signals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, LabelInfo> labels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, LabelGrid> grids = new ConcurrentHashMap<>();

    /** A dataset (normalised path) of a file name. */
    private record Key(String file, String dataset) {
    }

    /** Records a signal dataset's metadata, unless some is known. */
    void putSignal(String file, SignalInfo info) {
        signals.putIfAbsent(new Key(file, info.dataset()), info);
    }

    /** Records a label dataset's metadata, unless some is known. */
    void putLabels(String file, LabelInfo info) {
        labels.putIfAbsent(new Key(file, info.dataset()), info);
    }

    /** Records a label grid read as the label dataset {@code dataset} of {@code file}, and its metadata. */
    void putGrid(String file, String dataset, LabelGrid grid) {
        Key key = new Key(file, dataset);
        grids.putIfAbsent(key, grid);
        labels.putIfAbsent(key, grid.info());
    }

    /** Returns the label grid recorded as that dataset, or null. */
    LabelGrid grid(String file, String dataset) {
        return grids.get(new Key(file, dataset));
    }

    /** Returns a signal dataset's metadata, parsing it with {@code parse} the first time (outside any lock). */
    SignalInfo signal(String file, String dataset, Supplier<SignalInfo> parse) {
        return known(signals, new Key(file, dataset), parse);
    }

    /** Returns a label dataset's metadata, parsing it with {@code parse} the first time (outside any lock). */
    LabelInfo labels(String file, String dataset, Supplier<LabelInfo> parse) {
        return known(labels, new Key(file, dataset), parse);
    }

    private static <T> T known(ConcurrentHashMap<Key, T> map, Key key, Supplier<T> parse) {
        T value = map.get(key);
        if (value == null) {
            // Not computeIfAbsent: parsing reads the file, and two threads parsing at once is harmless.
            value = parse.get();
            T earlier = map.putIfAbsent(key, value);
            return earlier != null ? earlier : value;
        }
        return value;
    }
}
