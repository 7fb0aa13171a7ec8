package dev.batcher.materializers.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RawBuffersTest {
    @Test
    void shorts_sameShape_sameArrays() {
        RawBuffers b = new RawBuffers();
        short[][] first = b.shorts(8, 7680);
        assertEquals(8, first.length);
        assertEquals(7680, first[7].length);
        assertSame(first, b.shorts(8, 7680));
    }

    @Test
    void floats_otherShape_exactNewShapeKeptInstead() {
        RawBuffers b = new RawBuffers();
        float[][] first = b.floats(8, 7680);
        float[][] other = b.floats(2, 100);
        assertNotSame(first, other);
        assertEquals(2, other.length);
        assertEquals(100, other[1].length);
        assertSame(other, b.floats(2, 100));
        assertNotSame(first, b.floats(8, 7680), "the first shape was replaced");
    }

    @Test
    void shorts_overTheBound_handedOutNotKept() {
        RawBuffers b = new RawBuffers();
        short[][] kept = b.shorts(1, 10);
        short[][] big = b.shorts(2, RawBuffers.MAX_VALUES);
        assertEquals(RawBuffers.MAX_VALUES, big[1].length);
        assertNotSame(big, b.shorts(2, RawBuffers.MAX_VALUES));
        assertSame(kept, b.shorts(1, 10), "the kept arrays stay");
    }

    @Test
    void shortsAndFloats_belowOne_namesTheArgument() {
        RawBuffers b = new RawBuffers();
        assertEquals("rows: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class, () -> b.shorts(0, 5)).getMessage());
        assertEquals("samples: -1 (expected: >= 1)", assertThrows(IllegalArgumentException.class, () -> b.floats(1, -1)).getMessage());
    }
}
