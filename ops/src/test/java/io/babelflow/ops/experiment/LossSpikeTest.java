package io.babelflow.ops.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LossSpikeTest {
    @Test
    void riseAndRecovery() {
        // switch at step 100 with loss 2.0; evals after steps 109, 119, 129, 139
        LossSpike s = LossSpike.measure(2.0, 100, new TreeMap<>(Map.of(109L, 2.3, 119L, 2.5, 129L, 2.1, 139L, 1.9)));
        assertEquals(0.5, s.height(), 1e-12);
        assertEquals(119, s.peakStep());
        assertEquals(OptionalLong.of(40), s.duration()); // back at or below 2.0 after step 139: 40 steps after the switch
    }

    @Test
    void notRecoveredByTheEnd() {
        LossSpike s = LossSpike.measure(2.0, 100, new TreeMap<>(Map.of(109L, 2.3, 119L, 2.2)));
        assertEquals(0.3, s.height(), 1e-12);
        assertTrue(s.duration().isEmpty());
    }

    @Test
    void noRiseIsNoSpike() {
        LossSpike s = LossSpike.measure(2.0, 100, new TreeMap<>(Map.of(109L, 1.9, 119L, 1.8)));
        assertEquals(0.0, s.height());
        assertEquals(100, s.peakStep());
        assertEquals(OptionalLong.of(0), s.duration());
    }

    @Test
    void reachingTheSwitchLossExactlyCountsAsBack() {
        LossSpike s = LossSpike.measure(2.0, 0, new TreeMap<>(Map.of(9L, 2.4, 19L, 2.0)));
        assertEquals(OptionalLong.of(20), s.duration());
    }
}
