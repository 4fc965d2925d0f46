package io.babelflow.ops.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SeedStatsTest {
    @Test
    void summaryOfThreeSeeds() {
        SeedStats.Summary s = SeedStats.summarize(List.of(2.0, 4.0, 6.0));
        assertEquals(3, s.n());
        assertEquals(4.0, s.mean(), 1e-12);
        assertEquals(2.0, s.sd(), 1e-12, "sample sd of 2, 4, 6");
        assertEquals(2.0, s.min());
        assertEquals(6.0, s.max());
        assertEquals(0.0, SeedStats.summarize(List.of(3.0)).sd());
        assertEquals("-", SeedStats.summarize(List.of()).format());
    }

    @Test
    void tokensToTargetIsTheFirstEvalPointAtOrBelowTheTarget() {
        List<SeedStats.Point> curve = List.of(new SeedStats.Point(100, 3.0), new SeedStats.Point(200, 2.5),
                new SeedStats.Point(300, 2.6), new SeedStats.Point(400, 2.0));
        assertEquals(OptionalLong.of(200), SeedStats.tokensToTarget(curve, 2.5));
        assertEquals(OptionalLong.of(400), SeedStats.tokensToTarget(curve, 2.1));
        assertEquals(OptionalLong.empty(), SeedStats.tokensToTarget(curve, 1.9), "not reached");
    }

    @Test
    void aDifferenceSmallerThanTheSpreadIsFlagged() {
        SeedStats.Summary a = SeedStats.summarize(List.of(2.0, 2.2, 2.4));
        SeedStats.Summary close = SeedStats.summarize(List.of(2.1, 2.3, 2.5));
        SeedStats.Summary far = SeedStats.summarize(List.of(3.0, 3.1, 3.2));
        assertTrue(SeedStats.withinSpread(a, close));
        assertFalse(SeedStats.withinSpread(a, far));
    }
}
