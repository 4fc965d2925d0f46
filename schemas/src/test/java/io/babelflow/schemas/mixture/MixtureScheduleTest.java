package io.babelflow.schemas.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MixtureScheduleTest {
    private static final List<String> LANGS = List.of("python", "go");

    @Test
    void aStepScheduleHoldsEachPointUntilTheNext() {
        MixtureSchedule s = new MixtureSchedule(LANGS, List.of(new MixtureSchedule.Point(0, Map.of("python", 3.0, "go", 1.0)),
                new MixtureSchedule.Point(100, Map.of("go", 2.0))), MixtureSchedule.Curve.STEP);
        assertEquals(Map.of("python", 0.75, "go", 0.25), s.at(0));
        assertEquals(Map.of("python", 0.75, "go", 0.25), s.at(99));
        assertEquals(Map.of("python", 0.0, "go", 1.0), s.at(100));
        assertEquals(Map.of("python", 0.0, "go", 1.0), s.at(1e9));
    }

    @Test
    void pointsMustIncreaseAndPassTheWeightsRule() {
        assertThrows(IllegalArgumentException.class, () -> new MixtureSchedule(LANGS, List.of(
                new MixtureSchedule.Point(5, Map.of("go", 1.0)), new MixtureSchedule.Point(5, Map.of("go", 1.0))),
                MixtureSchedule.Curve.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new MixtureSchedule(LANGS, List.of(
                new MixtureSchedule.Point(0, Map.of("rust", 1.0))), MixtureSchedule.Curve.LINEAR));
    }
}
