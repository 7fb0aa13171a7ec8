package dev.batcher.bench;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One benchmark figure and its ratio against a baseline measured in the same run, printed as one
 * line: {@code name  value unit  ratio x  baseline}, fields separated by two or more spaces, for
 * example
 * <pre>
 * reads CONTIGUOUS 8x7680 int16, 1 thread          1843 MB/s      0.71x  FileChannel pread of the same bytes (2596 MB/s)
 * </pre>
 * Lines that are not figures (headers, notes) start with {@code #}; see {@link #comment}.
 *
 * @param name what was measured; runs of whitespace are collapsed to one space
 * @param value the candidate's figure, in {@code unit}; finite and {@code >= 0}
 * @param unit the unit of {@code value}, one word such as {@code GB/s}, {@code MB/s} or {@code batches/s}
 * @param ratio {@code baseline time / candidate time} for the same work: the candidate's speed
 *     relative to the baseline ({@code > 1}: faster); finite and {@code > 0}
 * @param baseline what the baseline was, usually with its own figure in parentheses
 */
public record Figure(String name, double value, String unit, double ratio, String baseline) {
    /** The width the name is padded to, so that the columns line up. */
    static final int NAME_WIDTH = 86;

    private static final Pattern LINE = Pattern.compile(
            "^(\\S.*?)\\s{2,}(\\d+(?:\\.\\d+)?) (\\S+)\\s{2,}(\\d+\\.\\d+)x\\s{2,}(\\S.*)$");

    /**
     * Checks and normalises.
     *
     * @throws IllegalArgumentException if {@code name}, {@code unit} or {@code baseline} is blank,
     *     {@code unit} holds whitespace, {@code value} is negative or not finite, or {@code ratio} is
     *     not finite and positive
     */
    public Figure {
        name = collapse(name, "name");
        baseline = collapse(baseline, "baseline");
        Objects.requireNonNull(unit, "unit");
        if (unit.isBlank() || !unit.equals(unit.strip()) || unit.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("unit: '" + unit + "' (expected: one word, such as MB/s)");
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("value: " + value + " (expected: finite and >= 0)");
        }
        if (!(ratio > 0) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("ratio: " + ratio + " (expected: finite and > 0)");
        }
    }

    private static String collapse(String text, String what) {
        Objects.requireNonNull(text, what);
        String s = text.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            throw new IllegalArgumentException(what + ": '' (expected: a description)");
        }
        return s;
    }

    /**
     * Returns the figure as one line: {@code name  value unit  ratio x  baseline}.
     *
     * @return the line, without a line terminator
     */
    public String line() {
        return String.format(Locale.ROOT, "%-" + NAME_WIDTH + "s  %8s %-9s  %6sx  %s", name, number(value), unit,
                ratioText(ratio), baseline);
    }

    /** Returns {@link #line()}. */
    @Override
    public String toString() {
        return line();
    }

    /**
     * Parses a line that {@link #line()} wrote.
     *
     * @param line a figure line
     * @return the figure (the value and ratio as printed, so rounded)
     * @throws IllegalArgumentException if the line is not a figure line; the message quotes it
     */
    public static Figure parse(String line) {
        Matcher m = LINE.matcher(line == null ? "" : line);
        if (!m.matches()) {
            throw new IllegalArgumentException("line: '" + line
                    + "' (expected: a figure line, 'name  value unit  ratio x  baseline')");
        }
        return new Figure(m.group(1), Double.parseDouble(m.group(2)), m.group(3), Double.parseDouble(m.group(4)),
                m.group(5));
    }

    /**
     * Tells whether a line is a comment (a header or a note) rather than a figure.
     *
     * @param line a report line
     * @return whether it starts with {@code #}
     */
    public static boolean isComment(String line) {
        return line.startsWith("#");
    }

    /**
     * Returns a comment line: {@code # text}.
     *
     * @param text the header or note
     * @return the line
     */
    public static String comment(String text) {
        return "# " + text;
    }

    /**
     * Formats a figure with about three significant digits, never in exponent notation: {@code 2596},
     * {@code 73.4}, {@code 9.81}, {@code 0.0421}.
     *
     * @param v a finite value {@code >= 0}
     * @return the text
     */
    public static String number(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String ratioText(double r) {
        return String.format(Locale.ROOT, r >= 0.1 ? "%.2f" : "%.4f", r);
    }
}
