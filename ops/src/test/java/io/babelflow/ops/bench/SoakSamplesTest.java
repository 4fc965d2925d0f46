package io.babelflow.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakSamplesTest {
    private static SoakSamples.Sample at(double seconds, long megabytes) {
        return new SoakSamples.Sample(seconds, 0, megabytes * 1_000_000, 0, Map.of(), 0, 0, 0);
    }

    @Test
    void throughputIsTakenPerWholeMinuteOfSamplesAndAPartLastMinuteIsLeftOut() {
        List<SoakSamples.Sample> samples = List.of(at(0, 0), at(30, 60), at(60, 120), at(90, 240), at(120, 360),
                at(150, 400));
        assertEquals(Map.of(0, 2.0, 1, 4.0), SoakSamples.perMinute(samples));
    }

    @Test
    void noWholeMinuteNoFigure() {
        assertEquals(Map.of(), SoakSamples.perMinute(List.of(at(0, 0), at(20, 10))));
    }
}
