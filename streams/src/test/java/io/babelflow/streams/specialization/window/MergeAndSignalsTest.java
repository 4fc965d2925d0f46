package io.babelflow.streams.specialization.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.streams.specialization.lape.NeuronSets;
import io.babelflow.streams.specialization.stage.LossHistory;
import io.babelflow.streams.specialization.stage.LossSlope;
import io.babelflow.streams.specialization.stage.LossTrajectory;
import io.babelflow.streams.specialization.stage.WorkingLanguageShare;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small pure pieces around the selection: merging, completeness, overlap, slope, share. */
class MergeAndSignalsTest {

    @Test
    void layerCountsMergeByLanguageIdInAnyOrder() {
        LayerCounts counts = new LayerCounts(2);
        counts.add(List.of("python", "go"), new long[] {10, 20}, new float[] {1, 2, 3, 4});
        counts.add(List.of("go", "python"), new long[] {30, 40}, new float[] {5, 6, 7, 8});
        assertEquals(50, counts.tokens("python"));
        assertEquals(50, counts.tokens("go"));
        assertEquals(8, counts.count("python", 0), 0.0);
        assertEquals(8, counts.count("go", 0), 0.0);
        assertEquals(10, counts.count("python", 1), 0.0);
        double[] p = counts.probabilities(List.of("go", "python"));
        assertEquals(8 / 50.0, p[0], 1e-15);
        assertEquals(10 / 50.0, p[3], 1e-15);
    }

    @Test
    void windowCompletesWhenEveryLayerOfEveryRankReported() {
        WindowProgress w = WindowProgress.open(0, 2, 3, 8, 1000);
        for (int layer = 0; layer < 3; layer++) {
            w = w.withReported(0, layer, 5);
        }
        w = w.withReported(1, 2, 7);
        assertFalse(w.complete());
        assertEquals(List.of(1), w.missingRanks());
        assertTrue(w.hasReported(1, 2));
        w = w.withReported(1, 0, 9).withReported(1, 1, 8);
        assertTrue(w.complete());
        assertEquals(List.of(), w.missingRanks());
        assertEquals(9, w.lastTimestamp());
        assertFalse(w.expired(1999, 1000));
        assertTrue(w.expired(2000, 1000));
    }

    @Test
    void jaccardPerLayerAndModelWide() {
        assertEquals(0.5, NeuronSets.jaccard(new int[] {1, 2, 3}, new int[] {1, 2, 3, 4, 5, 6}), 1e-12);
        assertEquals(1.0, NeuronSets.jaccard(new int[0], new int[0]));
        assertEquals(2.0 / 4, NeuronSets.jaccard(Map.of(0, new int[] {1, 2}, 1, new int[] {3}),
                Map.of(0, new int[] {2}, 1, new int[] {3}, 2, new int[] {9})), 1e-12);
    }

    @Test
    void lossSlopeIsLeastSquaresPerThousandSteps() {
        List<LossSlope.Point> points = List.of(new LossSlope.Point(1000, 3.0), new LossSlope.Point(2000, 2.5),
                new LossSlope.Point(3000, 2.0));
        assertEquals(-0.5, LossSlope.perThousandSteps(points), 1e-12);
        assertTrue(Double.isNaN(LossSlope.perThousandSteps(points.subList(0, 1))));
        LossHistory history = LossHistory.EMPTY;
        for (int s = 1; s <= 7; s++) {
            history = history.with(s * 100L, Map.of("go", 5.0 - s), 5, LossTrajectory.Parameters.DEFAULTS);
        }
        history = history.with(300, Map.of("go", 99.0), 5, LossTrajectory.Parameters.DEFAULTS); // stale: ignored
        assertEquals(5, history.of("go").size());
        assertEquals(300, history.of("go").get(0).step());
    }

    @Test
    void middleThirdAndShare() {
        assertEquals(10, WorkingLanguageShare.middleStart(32));
        assertEquals(22, WorkingLanguageShare.middleEnd(32));
        assertEquals(1, WorkingLanguageShare.middleStart(3));
        assertEquals(2, WorkingLanguageShare.middleEnd(3));
        assertEquals(1, WorkingLanguageShare.middleEnd(1));
        assertEquals(0.25, WorkingLanguageShare.share(Map.of("go", 0.1, "python", 0.3), "go", "python"), 1e-12);
        assertTrue(Double.isNaN(WorkingLanguageShare.share(Map.of(), "go", "python")));
    }
}
