package io.babelflow.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StepRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void beforeAnyStepThereIsNoStepAndNoPace() {
        StepRate rate = new StepRate(10 * S, 0);
        assertEquals(-1, rate.step());
        assertEquals(0.0, rate.perSecond(5 * S));
    }

    @Test
    void earlyInTheRunThePaceIsOverTheTimeSinceStart() {
        StepRate rate = new StepRate(10 * S, 0);
        for (int i = 1; i <= 8; i++) {
            rate.record(i - 1, i * S / 2); // a step every 0.5 s
        }
        assertEquals(7, rate.step());
        assertEquals(2.0, rate.perSecond(4 * S), 1e-12); // 8 steps in 4 s
    }

    @Test
    void laterOnlyTheWindowCounts() {
        StepRate rate = new StepRate(10 * S, 0);
        for (int i = 1; i <= 100; i++) {
            rate.record(i - 1, i * S / 4); // 4 steps/s for 25 s
        }
        assertEquals(4.0, rate.perSecond(25 * S), 1e-12); // steps at (15, 25] s: 40 in 10 s
    }

    @Test
    void aStalledTrainerDropsToZeroOnceTheWindowHasPassed() {
        StepRate rate = new StepRate(10 * S, 0);
        rate.record(41, 20 * S);
        rate.record(42, 21 * S);
        assertEquals(0.1, rate.perSecond(30 * S), 1e-12); // the step at 21 s is still in (20, 30]
        assertEquals(0.0, rate.perSecond(31 * S));
        assertEquals(42, rate.step()); // the last step stays
    }

    @Test
    void aWindowMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new StepRate(0, 0));
    }
}
