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

    /**
     * The recorded babel-tower-like run of docs/signals.md (3 layers × 64, python alone to step 80,
     * then go and cpp at 0.25 each): held-out loss at each eval point. Both languages were still
     * learning when the recording ended: the thresholds must read a fall, never a stall.
     */
    static final long[] RECORDED_STEPS = {19, 39, 59, 79, 99, 119, 139, 159, 179, 199, 219, 239, 259};
    static final double[] RECORDED_GO = {3.7039, 3.2993, 3.2472, 3.2696, 3.0958, 2.8696, 2.8531, 2.7611, 2.6777,
        2.6084, 2.5546, 2.5565, 2.5163};
    static final double[] RECORDED_CPP = {3.8300, 3.6242, 3.6595, 3.6089, 3.3839, 3.2965, 3.2331, 3.2030, 3.1553,
        3.1492, 3.1275, 3.1093, 3.0713};

    static List<LossSlope.Point> recorded(double[] losses) {
        List<LossSlope.Point> points = new ArrayList<>();
        for (int i = 0; i < losses.length; i++) {
            points.add(new LossSlope.Point(RECORDED_STEPS[i], losses[i]));
        }
        return points;
    }

    @Test
    void theRecordedRunsNewLanguagesAreStillFallingWithAlphaAtTheirIntroduction() {
        for (double[] losses : new double[][] {RECORDED_GO, RECORDED_CPP}) {
            LossTrajectory.Reading r = LossTrajectory.read(recorded(losses), 80, LossTrajectory.Parameters.DEFAULTS);
            assertEquals(Phase.FALLING, r.phase());
            assertEquals(-1, r.stalledFrom());
            assertEquals(losses[3], r.alpha(), 1e-12, "α is the eval point at step 79, just before the join at 80");
            assertEquals(99, r.fallingFrom());
            assertTrue(r.relativeSlope() < -LossTrajectory.Parameters.DEFAULTS.stallSlope(), "still falling: " + r);
        }
        // the recorded go curve followed by the Transition dip of the synthetic shape is read as a stall
        List<LossSlope.Point> withDip = new ArrayList<>(recorded(RECORDED_GO));
        double[] dip = {2.52, 2.55, 2.60, 2.63, 2.62, 2.55, 2.45, 2.38, 2.33};
        for (int i = 0; i < dip.length; i++) {
            withDip.add(new LossSlope.Point(279 + 20L * i, dip[i]));
        }
        LossTrajectory.Reading r = LossTrajectory.read(withDip, 80, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(Phase.FALLING_AGAIN, r.phase());
        assertTrue(r.stalledFrom() >= 259 && r.stalledFrom() <= 319, r.toString());
        assertTrue(r.fallingAgainFrom() > r.stalledFrom(), r.toString());
    }

    @Test
    void aReadingAsOfAnEarlierStepForgetsThePhasesBegunSince() {
        LossTrajectory.Reading r = LossTrajectory.read(babelTowerShape(), 2000, LossTrajectory.Parameters.DEFAULTS);
        assertEquals(Phase.NOT_INTRODUCED, r.asOf(1950).phase());
        assertEquals(Phase.FALLING, r.asOf(r.stalledFrom() - 1).phase());
        assertEquals(-1, r.asOf(r.stalledFrom() - 1).stalledFrom());
        assertEquals(Phase.STALLED, r.asOf(r.stalledFrom()).phase());
        assertEquals(-1, r.asOf(r.fallingAgainFrom() - 1).fallingAgainFrom());
        assertEquals(r, r.asOf(4000));
    }
}
