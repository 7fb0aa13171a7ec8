package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The metadata seam of {@link RecordingFiles}: checks a dataset's rank, element type and filters,
 * parses the attributes of signal and label datasets into {@link SignalInfo} and {@link LabelInfo},
 * checks windows against extents, and widens label values to ints. Stateless.
 */
final class MetadataParser {
    private MetadataParser() {
    }

    static void checkRank(String file, String path, Dataset ds, String shape) {
        long[] dims = ds.getDimensionsAsLong();
        if (dims.length != 2) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "rank: " + dims.length + " " + Arrays.toString(dims) + " (expected: 2, " + shape + ")", null);
        }
    }

    static SampleType signalType(String file, String path, Dataset ds) {
        checkRank(file, path, ds, "[channels, samples]");
        DataType type = ds.getDataType();
        if (type instanceof FixedPoint fixed && fixed.getSize() == 2 && fixed.isSigned()) {
            return SampleType.INT16;
        }
        if (type instanceof FloatingPoint && type.getSize() == 4) {
            return SampleType.FLOAT32;
        }
        throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                "type: " + describeType(type) + " (expected: int16 or float32)", null);
    }

    static void checkLabelType(String file, String path, Dataset ds) {
        checkRank(file, path, ds, "[label channels, n]");
        DataType type = ds.getDataType();
        if (!(type instanceof FixedPoint)) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "type: " + describeType(type) + " (expected: an integer type such as int8, int16, int32 or uint8)",
                    null);
        }
    }

    static String describeType(DataType type) {
        if (type instanceof FixedPoint fixed) {
            return (fixed.isSigned() ? "int" : "uint") + fixed.getSize() * 8;
        }
        if (type instanceof FloatingPoint) {
            return "float" + type.getSize() * 8;
        }
        if (type instanceof StringData) {
            return "string";
        }
        return type.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    static void checkFilters(String file, String path, Dataset ds) {
        try {
            ds.getFilters();
        } catch (RuntimeException e) {
            throw ReadErrors.translate(e, file, path, null);
        }
    }

    static void checkWindow(String file, String path, Window window, long[] dims) {
        String detail = null;
        if (window.firstRow() < 0) {
            detail = "firstChannel: " + window.firstRow() + " (expected: >= 0)";
        } else if (window.rows() < 1) {
            detail = "channelCount: " + window.rows() + " (expected: >= 1)";
        } else if (window.firstRow() + window.rows() > dims[0]) {
            detail = "firstChannel + channelCount: " + (window.firstRow() + window.rows()) + " (expected: <= "
                    + dims[0] + ", the rows of the dataset)";
        } else if (window.start() < 0) {
            detail = "start: " + window.start() + " (expected: >= 0)";
        } else if (window.count() < 1) {
            detail = "count: " + window.count() + " (expected: >= 1)";
        } else if (window.start() > dims[1] - window.count()) {
            detail = "start + count: " + (window.start() + window.count()) + " (expected: <= " + dims[1]
                    + ", the samples in the dataset)";
        }
        if (detail != null) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, path, window, detail, null);
        }
    }

    static SignalInfo parseSignal(String file, String path, Dataset ds) {
        SampleType type = signalType(file, path, ds);
        checkFilters(file, path, ds);
        long[] dims = ds.getDimensionsAsLong();
        if (dims[1] < 1) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "samples: " + dims[1] + " (expected: >= 1)", null);
        }
        Attributes a = new Attributes(ds, file, path);
        List<String> channels = a.names("channels", "one channel name per row", false);
        checkRows(a, "channels", channels, dims);
        double rate = a.positive("sample_rate", "samples per second (Hz)");
        double resolution = a.number("resolution", "the value of one sample step");
        if (resolution == 0) {
            throw a.bad("resolution", "0.0", "a non-zero number, the value of one sample step");
        }
        double offset = a.number("offset", "added after scaling: value = sample * resolution + offset");
        String unit = a.string("unit", "the unit of decoded values");
        long start = a.nonNegativeLong("start_ns", "the signal's start within the recording in nanoseconds");
        checkDuration(a, dims[1], rate);
        return new SignalInfo(path, type, channels, rate, resolution, offset, unit, start, dims[1]);
    }

    static LabelInfo parseLabels(String file, String path, Dataset ds) {
        checkLabelType(file, path, ds);
        checkFilters(file, path, ds);
        long[] dims = ds.getDimensionsAsLong();
        if (dims[1] < 1) {
            throw new RecordingReadException(Reason.WRONG_DATASET, file, path, null,
                    "samples: " + dims[1] + " (expected: >= 1)", null);
        }
        Attributes a = new Attributes(ds, file, path);
        List<String> channels = a.names("channels", "one label channel name per row", false);
        checkRows(a, "channels", channels, dims);
        double rate = a.positive("sample_rate", "label samples per second, for example 1/30 for 30 s epochs");
        long start = a.nonNegativeLong("start_ns", "the labels' start within the recording in nanoseconds");
        List<String> encoding = a.names("encoding", "the name of each label value 0..K-1", false);
        checkDuration(a, dims[1], rate);
        return new LabelInfo(path, channels, rate, start, dims[1], encoding);
    }

    static void checkRows(Attributes a, String name, List<String> names, long[] dims) {
        if (names.size() != dims[0]) {
            throw a.bad(name, names.size() + " names " + names, dims[0] + " names, one per row of the "
                    + Arrays.toString(dims) + " dataset");
        }
    }

    /** Keeps spans within the nanosecond range of a long (about 292 years). */
    static void checkDuration(Attributes a, long samples, double rate) {
        if (samples / rate > 9.0e9) {
            throw a.bad("sample_rate", Double.toString(rate), "a rate at which " + samples
                    + " samples last less than 9e9 seconds");
        }
    }

    static int[][] toInts(String file, String path, Window window, Object data) {
        if (data instanceof int[][] ints) {
            return ints;
        }
        int rows = java.lang.reflect.Array.getLength(data);
        int[][] result = new int[rows][];
        for (int r = 0; r < rows; r++) {
            Object row = java.lang.reflect.Array.get(data, r);
            if (row instanceof byte[] b) {
                result[r] = new int[b.length];
                for (int i = 0; i < b.length; i++) {
                    result[r][i] = b[i];
                }
            } else if (row instanceof short[] s) {
                result[r] = new int[s.length];
                for (int i = 0; i < s.length; i++) {
                    result[r][i] = s[i];
                }
            } else if (row instanceof long[] l) {
                result[r] = new int[l.length];
                for (int i = 0; i < l.length; i++) {
                    if (l[i] != (int) l[i]) {
                        throw outOfIntRange(file, path, window, r, i, Long.toString(l[i]));
                    }
                    result[r][i] = (int) l[i];
                }
            } else if (row instanceof BigInteger[] big) {
                result[r] = new int[big.length];
                for (int i = 0; i < big.length; i++) {
                    if (big[i].bitLength() >= Integer.SIZE) {
                        throw outOfIntRange(file, path, window, r, i, big[i].toString());
                    }
                    result[r][i] = big[i].intValue();
                }
            } else {
                throw new RecordingReadException(Reason.WRONG_DATASET, file, path, window,
                        "type: " + (row == null ? "null" : row.getClass().getSimpleName())
                                + " (expected: an integer type)", null);
            }
        }
        return result;
    }

    static RecordingReadException outOfIntRange(String file, String path, Window window, int row, int i,
                                                        String value) {
        return new RecordingReadException(Reason.WRONG_DATASET, file, path, window,
                "label value at [" + row + ", " + (window.start() + i) + "]: " + value
                        + " (expected: within the int32 range)", null);
    }
}
