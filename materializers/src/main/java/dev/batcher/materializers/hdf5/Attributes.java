package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the attributes of one HDF5 object leniently about encoding (variable- or fixed-length
 * strings, any integer or float width, scalars or one-element arrays) and strictly about meaning.
 * Every fault becomes a {@link RecordingReadException} with reason {@link Reason#BAD_ATTRIBUTE}
 * whose message reads {@code attribute name: value (expected: rule)}.
 */
final class Attributes {
    private static final double MAX_LONG_AS_DOUBLE = 0x1p63;

    private final Node node;
    private final String file;
    private final String dataset;

    /**
     * @param node the object whose attributes are read
     * @param file the file name as the caller gave it, for messages
     * @param dataset the dataset path, or null for the file's root group
     */
    Attributes(Node node, String file, String dataset) {
        this.node = node;
        this.file = file;
        this.dataset = dataset;
    }

    /** Returns true if the attribute exists. */
    boolean has(String name) {
        return raw(name) != null;
    }

    private Attribute raw(String name) {
        try {
            return node.getAttribute(name);
        } catch (RuntimeException e) {
            throw new RecordingReadException(Reason.UNREADABLE, file, dataset, null,
                    "attributes: unreadable (expected: a readable attribute table): " + e.getMessage(), e);
        }
    }

    /** Returns the attribute's data: null if empty, a boxed scalar, or an array. */
    private Object data(String name, String expected) {
        Attribute attribute = raw(name);
        if (attribute == null) {
            throw bad(name, "missing", expected);
        }
        try {
            if (attribute.isEmpty()) {
                return null;
            }
            return attribute.getData();
        } catch (RuntimeException e) {
            throw new RecordingReadException(Reason.BAD_ATTRIBUTE, file, dataset, null,
                    "attribute " + name + ": unreadable, " + e.getMessage() + " (expected: " + expected + ")", e);
        }
    }

    /**
     * Reads a string attribute: a scalar string or a one-element string array.
     *
     * @param what what the attribute means, for messages
     */
    String string(String name, String what) {
        String expected = "a string, " + what;
        Object data = data(name, expected);
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] array && array.length == 1) {
            return array[0];
        }
        throw bad(name, describe(data), expected);
    }

    /**
     * Reads a list of non-blank, distinct strings: a one-dimensional string array, or a scalar string
     * for a list of one.
     *
     * @param what what the attribute means, for messages
     * @param allowEmpty whether an empty list is acceptable
     */
    List<String> names(String name, String what, boolean allowEmpty) {
        String expected = "an array of distinct, non-empty strings, " + what;
        Object data = data(name, expected);
        List<String> names;
        if (data == null) {
            names = List.of();
        } else if (data instanceof String s) {
            names = List.of(s);
        } else if (data instanceof String[] array) {
            names = Arrays.asList(array);
        } else {
            throw bad(name, describe(data), expected);
        }
        if (names.isEmpty() && !allowEmpty) {
            throw bad(name, "[]", "at least one name, " + what);
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw bad(name, describe(data), expected + "; found an empty name");
            }
            if (!seen.add(n)) {
                throw bad(name, describe(data), expected + "; " + n + " appears more than once");
            }
        }
        return List.copyOf(names);
    }

    /** Reads a finite number of any integer or float width. */
    double number(String name, String what) {
        String expected = "a number, " + what;
        Object data = scalar(data(name, expected));
        double value;
        if (data instanceof BigInteger big) {
            value = big.doubleValue();
        } else if (data instanceof Number number) {
            value = number.doubleValue();
        } else {
            throw bad(name, describe(data), expected);
        }
        if (!Double.isFinite(value)) {
            throw bad(name, describe(data), "a finite number, " + what);
        }
        return value;
    }

    /** Reads a finite number {@code > 0}. */
    double positive(String name, String what) {
        double value = number(name, what);
        if (value <= 0) {
            throw bad(name, describe(value), "a number > 0, " + what);
        }
        return value;
    }

    /** Reads an integer {@code >= 0}: an integer of any width or an integral float. */
    long nonNegativeLong(String name, String what) {
        String expected = "an integer >= 0 (or an integral float), " + what;
        Object data = scalar(data(name, expected));
        long value;
        if (data instanceof Byte || data instanceof Short || data instanceof Integer || data instanceof Long) {
            value = ((Number) data).longValue();
        } else if (data instanceof BigInteger big) {
            if (big.bitLength() >= Long.SIZE) {
                throw bad(name, big.toString(), expected);
            }
            value = big.longValue();
        } else if (data instanceof Double || data instanceof Float) {
            double d = ((Number) data).doubleValue();
            if (!Double.isFinite(d) || d != Math.rint(d) || Math.abs(d) >= MAX_LONG_AS_DOUBLE) {
                throw bad(name, describe(data), expected);
            }
            value = (long) d;
        } else {
            throw bad(name, describe(data), expected);
        }
        if (value < 0) {
            throw bad(name, Long.toString(value), expected);
        }
        return value;
    }

    /** Unwraps a one-element array into its element; leaves anything else alone. */
    private static Object scalar(Object data) {
        if (data != null && data.getClass().isArray() && Array.getLength(data) == 1) {
            return Array.get(data, 0);
        }
        return data;
    }

    RecordingReadException bad(String name, String value, String expected) {
        return new RecordingReadException(Reason.BAD_ATTRIBUTE, file, dataset, null,
                "attribute " + name + ": " + value + " (expected: " + expected + ")", null);
    }

    /** Describes an attribute value for messages: strings quoted, arrays bracketed, with the type if not numeric. */
    static String describe(Object data) {
        if (data == null) {
            return "empty";
        }
        if (data instanceof String s) {
            return "'" + s + "' (a string)";
        }
        if (data.getClass().isArray()) {
            int n = Array.getLength(data);
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Math.min(n, 16); i++) {
                Object item = Array.get(data, i);
                items.add(item != null && item.getClass().isArray() ? "[...]" : String.valueOf(item));
            }
            if (n > 16) {
                items.add("... " + (n - 16) + " more");
            }
            String type = data.getClass().getComponentType().getSimpleName();
            return "[" + String.join(", ", items) + "]" + ("String".equals(type) ? "" : " (" + type + " array)");
        }
        if (data instanceof Number) {
            return data.toString();
        }
        return data + " (" + data.getClass().getSimpleName() + ")";
    }
}
