package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up's steady test of {@code bench service} and {@code bench scale}: medians of five windows against the five before. */
class SteadyRateTest {
    @Test
    void isSteady_fewerThanTenWindows_false() {
        assertFalse(ServiceBench.isSteady(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0)));
    }

    @Test
    void isSteady_flatButNoisyRates_true() {
        assertTrue(ServiceBench.isSteady(List.of(90.0, 110.0, 100.0, 95.0, 105.0, 112.0, 88.0, 101.0, 99.0, 103.0)));
    }

    @Test
    void isSteady_plateauThenRise_false() {
        // bench scale's worker pool on 2 cores: three windows within 10% at ~200 batches/s, then C2 finished.
        assertFalse(ServiceBench.isSteady(List.of(121.9, 139.3, 137.1, 181.8, 198.0, 201.0, 206.8, 199.9, 280.0, 300.0)));
    }

    @Test
    void isSteady_riseOfFourPercentOrLess_true() {
        assertTrue(ServiceBench.isSteady(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 104.0, 104.0, 104.0, 104.0, 104.0)));
        assertFalse(ServiceBench.isSteady(List.of(100.0, 100.0, 100.0, 100.0, 100.0, 105.0, 105.0, 105.0, 105.0, 105.0)));
    }

    @Test
    void isSteady_dipOfMoreThanTenPercent_false() {
        // bench scale's worker pool: a few slow windows made the last median fall, and a test of rising alone passed it.
        assertFalse(ServiceBench.isSteady(List.of(158.3, 198.8, 230.6, 214.6, 203.7, 197.7, 178.8, 113.1, 155.6, 150.0)));
        assertTrue(ServiceBench.isSteady(List.of(200.0, 200.0, 200.0, 200.0, 200.0, 181.0, 181.0, 181.0, 181.0, 181.0)));
    }

    @Test
    void isSteady_onlyTheLastTenWindowsCount_true() {
        assertTrue(ServiceBench.isSteady(List.of(10.0, 20.0, 40.0, 80.0, 300.0, 300.0, 300.0, 300.0, 300.0, 300.0, 300.0,
                300.0, 300.0, 300.0)));
    }
}
