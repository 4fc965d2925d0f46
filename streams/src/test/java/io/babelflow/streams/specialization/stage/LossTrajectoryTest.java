package io.babelflow.streams.specialization.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.specialization.stage.LossTrajectory.Phase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossTrajectoryTest {
    /**
     * A language held at weight 0 until step 2000 (its held-out loss drifts down from ln 256 with the
     * primary's progress), then: fast fall 3.0 → 1.3, a bump of 0.4 centred 600 steps after joining
     * (Transition's dip in performance), recovery. Eval every 50 steps.
     */
    static List<LossSlope.Point> babelTowerShape() {
        List<LossSlope.Point> points = new ArrayList<>();
        for (long step = 0; step < 2000; step += 50) {
            points.add(new LossSlope.Point(step, 5.5 - step / 1000.0 * 1.2));
        }
        for (long step = 2000; step <= 4000; step += 50) {
            double t = step - 2000;
            points.add(new LossSlope.Point(step, 1.3 + 1.8 * Math.exp(-t / 150.0) + 0.4 * Math.exp(-Math.pow((t - 600) / 150.0, 2))));
        }
        return points;
    }

    @Test
    void fallStallFallAgainAfterTheIntroductionWithAlphaAtTheIntroduction() {
        LossTrajectory.Reading r = LossTrajectory.read(babelTowerShape(), 2000, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(3.1, r.alpha(), 1e-6, "α is the loss at step 2000, not the 5.5 of step 0");
        assertEquals(Phase.FALLING_AGAIN, r.phase());
        assertEquals(2000, r.fallingFrom());
        // the bump starts to lift the loss ~300 steps after joining and peaks at 600
        assertTrue(r.stalledFrom() >= 2250 && r.stalledFrom() <= 2550, "stalled at " + r.stalledFrom());
        assertTrue(r.fallingAgainFrom() > 2600 && r.fallingAgainFrom() <= 2850, "falls again at " + r.fallingAgainFrom());
        assertEquals(1.0, r.proportion(), 0.05, "back at its lowest: P = 1");
    }

    @Test
    void proportionDuringTheDipIsBelowOne() {
        List<LossSlope.Point> upToPeak = babelTowerShape().stream().filter(p -> p.step() <= 2600).toList();
        LossTrajectory.Reading r = LossTrajectory.read(upToPeak, 2000, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(Phase.STALLED, r.phase());
        assertTrue(r.proportion() < 0.95 && r.proportion() > 0.5, "P during the dip: " + r.proportion());
    }

    @Test
    void beforeTheIntroductionNothingIsRead() {
        List<LossSlope.Point> before = babelTowerShape().stream().filter(p -> p.step() < 2000).toList();
        LossTrajectory.Reading r = LossTrajectory.read(before, 2000, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(Phase.NOT_INTRODUCED, r.phase());
        // a steadily falling loss with no stall stays FALLING
        LossTrajectory.Reading fromStart = LossTrajectory.read(before, 0, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(Phase.FALLING, fromStart.phase());
        assertEquals(-1, fromStart.stalledFrom());
    }
}
