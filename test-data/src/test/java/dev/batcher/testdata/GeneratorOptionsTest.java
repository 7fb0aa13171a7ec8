package dev.batcher.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class GeneratorOptionsTest {
    private static void assertRejected(String message, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertEquals(message, e.getMessage());
    }

    @Test
    void builder_nothingSet_hasTheDocumentedDefaults() {
        GeneratorOptions options = GeneratorOptions.builder().build();

        assertEquals(1L, options.seed());
        assertEquals(4, options.recordings());
        assertEquals(0.5, options.minHours());
        assertEquals(8.0, options.maxHours());
        assertEquals(256.0, options.sampleRate());
        assertEquals(Layout.CONTIGUOUS, options.layout());
        assertEquals(0, options.chunkChannels());
        assertEquals(8192, options.chunkSamples());
        assertEquals(4, options.deflateLevel());
        assertEquals(1, options.threads());
        assertEquals(Optional.empty(), options.executor());
    }

    @Test
    void toBuilder_everyOptionSet_keepsEveryOption() {
        Executor executor = Runnable::run;
        GeneratorOptions options = GeneratorOptions.builder().seed(-5).recordings(9).hours(1, 2).sampleRate(200)
                .layout(Layout.SHUFFLE_DEFLATE).chunkShape(4, 1000).deflateLevel(9).threads(3).executor(executor)
                .build();

        GeneratorOptions copy = options.toBuilder().build();

        assertEquals(-5L, copy.seed());
        assertEquals(9, copy.recordings());
        assertEquals(1.0, copy.minHours());
        assertEquals(2.0, copy.maxHours());
        assertEquals(200.0, copy.sampleRate());
        assertEquals(Layout.SHUFFLE_DEFLATE, copy.layout());
        assertEquals(4, copy.chunkChannels());
        assertEquals(1000, copy.chunkSamples());
        assertEquals(9, copy.deflateLevel());
        assertEquals(3, copy.threads());
        assertSame(executor, copy.executor().orElseThrow());
        assertEquals(options.toString(), copy.toString());
    }

    @Test
    void recordings_zero_throwsNamingTheValueAndTheExpectation() {
        assertRejected("recordings: 0 (expected: > 0)", () -> GeneratorOptions.builder().recordings(0));
    }

    @Test
    void hours_outOfRange_throwsNamingTheValueAndTheExpectation() {
        assertRejected("minHours: 0.01 (expected: >= 0.041666666666666664 (150 s) and <= 24.0)",
                () -> GeneratorOptions.builder().hours(0.01, 1));
        assertRejected("maxHours: 1.0 (expected: >= minHours 2.0 and <= 24.0)",
                () -> GeneratorOptions.builder().hours(2, 1));
        assertRejected("maxHours: 25.0 (expected: >= minHours 2.0 and <= 24.0)",
                () -> GeneratorOptions.builder().hours(2, 25));
        assertRejected("minHours: NaN (expected: >= 0.041666666666666664 (150 s) and <= 24.0)",
                () -> GeneratorOptions.builder().hours(Double.NaN, 1));
    }

    @Test
    void sampleRate_invalid_throwsNamingTheValueAndTheExpectation() {
        assertRejected("sampleRate: 32.0 (expected: >= 64.0 Hz and finite)",
                () -> GeneratorOptions.builder().sampleRate(32));
        assertRejected("sampleRate: Infinity (expected: >= 64.0 Hz and finite)",
                () -> GeneratorOptions.builder().sampleRate(Double.POSITIVE_INFINITY));
        assertRejected("sampleRate: 100.01 (expected: a whole number of samples in a 30 s epoch; got 3000.3)",
                () -> GeneratorOptions.builder().sampleRate(100.01));
    }

    @Test
    void sampleRate_wholeSamplesPerEpoch_isAccepted() {
        assertEquals(100.5, GeneratorOptions.builder().sampleRate(100.5).build().sampleRate());
    }

    @Test
    void otherSetters_invalid_throwNamingTheValueAndTheExpectation() {
        assertRejected("threads: 0 (expected: > 0)", () -> GeneratorOptions.builder().threads(0));
        assertRejected("deflateLevel: 10 (expected: 0 to 9)", () -> GeneratorOptions.builder().deflateLevel(10));
        assertRejected("deflateLevel: -1 (expected: 0 to 9)", () -> GeneratorOptions.builder().deflateLevel(-1));
        assertRejected("chunkChannels: -1 (expected: >= 0, 0 for all)",
                () -> GeneratorOptions.builder().chunkShape(-1, 10));
        assertRejected("chunkSamples: 0 (expected: > 0)", () -> GeneratorOptions.builder().chunkShape(1, 0));
        assertThrows(NullPointerException.class, () -> GeneratorOptions.builder().layout(null));
    }

    @Test
    void build_recordingLargerThanJhdfCanWrite_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorOptions.builder().hours(24, 24).sampleRate(4096).build());

        assertTrue(e.getMessage().startsWith("maxHours: 24.0 at sampleRate 4096.0 (expected: at most 2147483639 bytes"),
                e.getMessage());
    }
}
