package dev.batcher.materializers.channels;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One montage derivation, parsed: an output name and a linear combination of channels. The
 * grammar ({@code ws} is optional white space between tokens):
 *
 * <pre>
 * argument   = [ name ws "=" ] expression
 * expression = term { ( "+" | "-" ) term }
 * term       = factor { ( "*" | "/" ) factor }
 * factor     = ( "+" | "-" ) factor | number | channel | "(" expression ")"
 * channel    = identifier | '"' any text but '"' '"' | "[" any text but "]" "]"
 * identifier = letter or "_", then letters, digits, "_" or "."
 * number     = digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ]   (or starting with ".")
 * </pre>
 *
 * A product may have at most one factor that involves channels, a divisor must be a non-zero
 * constant, and the result must have no constant term. Without a name, the output is named after
 * the expression with white space removed.
 */
final class Derivation {
    private final String argument;
    private final String name;
    private final String expression;
    private final Map<String, Double> coefficients;

    private Derivation(String argument, String name, String expression, Map<String, Double> coefficients) {
        this.argument = argument;
        this.name = name;
        this.expression = expression;
        this.coefficients = Collections.unmodifiableMap(coefficients);
    }

    /** The montage argument as written, for messages. */
    String argument() {
        return argument;
    }

    /** The output channel's name. */
    String name() {
        return name;
    }

    /** The expression as written. */
    String expression() {
        return expression;
    }

    /** Channel name to coefficient, in order of first mention; may hold zero coefficients (C3 - C3). */
    Map<String, Double> coefficients() {
        return coefficients;
    }

    /** A derivation that does not parse; the message says where and why. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * Parses a montage argument.
     *
     * @throws SyntaxException naming the column and what was expected
     */
    static Derivation parse(String argument) throws SyntaxException {
        String expression = argument;
        String name = null;
        int equals = findNameSeparator(argument);
        if (equals >= 0) {
            name = argument.substring(0, equals).trim();
            expression = argument.substring(equals + 1);
            if (name.isEmpty()) {
                throw new SyntaxException("empty output name before '='");
            }
        }
        Parser parser = new Parser(expression);
        Linear result = parser.parseAll();
        if (result.constant != 0) {
            throw new SyntaxException("constant term " + result.constant
                    + " (expected: a linear combination of channels without a constant)");
        }
        for (Map.Entry<String, Double> e : result.terms.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new SyntaxException("coefficient of '" + e.getKey() + "' is " + e.getValue()
                        + " (expected: finite)");
            }
        }
        if (name == null) {
            name = expression.replaceAll("\\s+", "");
        }
        return new Derivation(argument, name, expression.trim(), result.terms);
    }

    /** The index of an '=' outside quotes and brackets, or -1. */
    private static int findNameSeparator(String s) {
        char closer = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (closer != 0) {
                if (c == closer) {
                    closer = 0;
                }
            } else if (c == '"') {
                closer = '"';
            } else if (c == '[') {
                closer = ']';
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    /** A linear form: sum of coefficient * channel, plus a constant. */
    private static final class Linear {
        final LinkedHashMap<String, Double> terms = new LinkedHashMap<>();
        double constant;

        static Linear constant(double value) {
            Linear l = new Linear();
            l.constant = value;
            return l;
        }

        static Linear channel(String name) {
            Linear l = new Linear();
            l.terms.put(name, 1.0);
            return l;
        }

        boolean isConstant() {
            return terms.isEmpty();
        }

        Linear plus(Linear other, double sign) {
            other.terms.forEach((k, v) -> terms.merge(k, sign * v, Double::sum));
            constant += sign * other.constant;
            return this;
        }

        Linear dividedBy(double divisor) {
            terms.replaceAll((k, v) -> v / divisor);
            constant = constant == 0 ? 0 : constant / divisor;
            return this;
        }

        Linear times(double factor) {
            terms.replaceAll((k, v) -> v * factor);
            constant = constant == 0 ? 0 : constant * factor;
            return this;
        }
    }

    /** Recursive descent over the expression, with 1-based columns in messages. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Linear parseAll() throws SyntaxException {
            skipSpace();
            if (pos == text.length()) {
                throw new SyntaxException("empty expression (expected: a linear combination of channels)");
            }
            Linear result = expression();
            skipSpace();
            if (pos < text.length()) {
                throw error("an operator or the end");
            }
            return result;
        }

        private Linear expression() throws SyntaxException {
            Linear left = term();
            while (true) {
                skipSpace();
                if (peek('+')) {
                    pos++;
                    left = left.plus(term(), 1);
                } else if (peek('-')) {
                    pos++;
                    left = left.plus(term(), -1);
                } else {
                    return left;
                }
            }
        }

        private Linear term() throws SyntaxException {
            Linear left = factor();
            while (true) {
                skipSpace();
                int at = pos;
                if (peek('*')) {
                    pos++;
                    Linear right = factor();
                    if (left.isConstant()) {
                        left = right.times(left.constant);
                    } else if (right.isConstant()) {
                        left = left.times(right.constant);
                    } else {
                        throw new SyntaxException("product of two channel terms at column " + (at + 1)
                                + " (expected: a derivation linear in the channels)");
                    }
                } else if (peek('/')) {
                    pos++;
                    Linear right = factor();
                    if (!right.isConstant()) {
                        throw new SyntaxException("division by a channel term at column " + (at + 1)
                                + " (expected: division by a constant)");
                    }
                    if (right.constant == 0) {
                        throw new SyntaxException("division by zero at column " + (at + 1));
                    }
                    left = left.dividedBy(right.constant);
                } else {
                    return left;
                }
            }
        }

        private Linear factor() throws SyntaxException {
            skipSpace();
            if (pos == text.length()) {
                throw error("a channel, a number or '('");
            }
            char c = text.charAt(pos);
            if (c == '+') {
                pos++;
                return factor();
            }
            if (c == '-') {
                pos++;
                return factor().times(-1);
            }
            if (c == '(') {
                pos++;
                Linear inner = expression();
                skipSpace();
                if (!peek(')')) {
                    throw error("')'");
                }
                pos++;
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                return Linear.constant(number());
            }
            if (c == '"' || c == '[') {
                char closer = c == '"' ? '"' : ']';
                int close = text.indexOf(closer, pos + 1);
                if (close < 0) {
                    throw new SyntaxException("unclosed " + c + " at column " + (pos + 1));
                }
                String name = text.substring(pos + 1, close);
                if (name.isEmpty()) {
                    throw new SyntaxException("empty channel name at column " + (pos + 1));
                }
                pos = close + 1;
                return Linear.channel(name);
            }
            if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < text.length() && isIdentifierPart(text.charAt(pos))) {
                    pos++;
                }
                return Linear.channel(text.substring(start, pos));
            }
            throw error("a channel, a number or '('");
        }

        private double number() throws SyntaxException {
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
                int mark = pos;
                pos++;
                if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                    pos++;
                }
                int digits = pos;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                if (pos == digits) {
                    pos = mark; // not an exponent: leave "e..." to be reported as unexpected
                }
            }
            String literal = text.substring(start, pos);
            if (literal.equals(".")) {
                pos = start;
                throw error("a channel, a number or '('");
            }
            double value = Double.parseDouble(literal);
            if (Double.isInfinite(value)) {
                throw new SyntaxException("number " + literal + " at column " + (start + 1) + " is too large");
            }
            return value;
        }

        private static boolean isIdentifierPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '.';
        }

        private boolean peek(char c) {
            return pos < text.length() && text.charAt(pos) == c;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private SyntaxException error(String expected) {
            String found = pos >= text.length() ? "the end" : "'" + text.charAt(pos) + "'";
            return new SyntaxException("expected " + expected + " at column " + (pos + 1) + ", found " + found);
        }
    }
}
