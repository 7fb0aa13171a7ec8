package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A figure prints as one line that parses back, whatever the magnitude of its numbers. */
class FigureTest {
    @Test
    void line_parsesBack() {
        Figure f = new Figure("reads  CONTIGUOUS, 1 thread", 1843.4, "MB/s", 0.7149, "FileChannel pread (2596 MB/s)");
        String line = f.line();
        assertTrue(line.startsWith("reads CONTIGUOUS, 1 thread  "), line);
        assertTrue(line.contains("  1843 MB/s"), line);
        assertTrue(line.contains("  0.71x  FileChannel pread (2596 MB/s)"), line);
        Figure back = Figure.parse(line);
        assertEquals("reads CONTIGUOUS, 1 thread", back.name());
        assertEquals(1843, back.value());
        assertEquals("MB/s", back.unit());
        assertEquals(0.71, back.ratio());
        assertEquals("FileChannel pread (2596 MB/s)", back.baseline());
    }

    @Test
    void line_smallAndLargeNumbers_noExponent() {
        for (double v : new double[] {0, 0.00012, 0.5, 3.14159, 42.42, 1.5e9}) {
            for (double r : new double[] {0.00042, 0.05, 1, 37.5}) {
                String line = new Figure("x", v, "GB/s", r, "y").line();
                assertFalse(line.contains("E") || line.contains("e+"), line);
                assertTrue(Figure.parse(line).ratio() > 0, line);
            }
        }
        assertEquals("2596", Figure.number(2596.4));
        assertEquals("73.4", Figure.number(73.44));
        assertEquals("9.81", Figure.number(9.811));
        assertEquals("0.0421", Figure.number(0.04211));
    }

    @Test
    void parse_comment_throwsQuotingIt() {
        String comment = Figure.comment("ReadBench: JDK 17");
        assertTrue(Figure.isComment(comment));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Figure.parse(comment));
        assertTrue(e.getMessage().contains("'# ReadBench: JDK 17'"), e.getMessage());
    }

    @Test
    void new_badRatioOrUnit_throws() {
        assertThrows(IllegalArgumentException.class, () -> new Figure("x", 1, "MB/s", 0, "y"));
        assertThrows(IllegalArgumentException.class, () -> new Figure("x", 1, "MB/s", Double.NaN, "y"));
        assertThrows(IllegalArgumentException.class, () -> new Figure("x", -1, "MB/s", 1, "y"));
        assertThrows(IllegalArgumentException.class, () -> new Figure("x", 1, "MB per s", 1, "y"));
        assertThrows(IllegalArgumentException.class, () -> new Figure(" ", 1, "MB/s", 1, "y"));
    }
}
