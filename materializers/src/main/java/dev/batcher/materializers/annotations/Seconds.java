package dev.batcher.materializers.annotations;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Decimal seconds as text, to and from whole nanoseconds, without binary floating point. */
final class Seconds {
    private Seconds() {
    }

    /**
     * Parses a decimal number of seconds ({@code 30}, {@code +30.5}, {@code -0.25}, {@code 1e3}) into
     * nanoseconds, rounding half to even below a nanosecond.
     *
     * @param text the number
     * @param where the file and place, for messages
     * @param field the field, for messages
     * @return nanoseconds
     * @throws AnnotationException if the text is not a finite decimal number or does not fit
     */
    static long parse(String text, String where, String field) {
        String t = text.strip();
        try {
            return new BigDecimal(t).movePointRight(9).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new AnnotationException(where + ": " + field + ": '" + text + "' (expected: a decimal number of seconds)", e);
        }
    }

    /** Formats nanoseconds as plain decimal seconds without trailing zeros: {@code 30}, {@code 0.5}. */
    static String format(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }
}
