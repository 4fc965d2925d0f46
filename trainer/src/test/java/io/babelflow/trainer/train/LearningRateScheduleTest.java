package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void warmsUpLinearlyThenDecaysAlongACosine() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, s.at(0), 1e-15);
        assertEquals(5e-4, s.at(4), 1e-15);
        assertEquals(1e-3, s.at(10), 1e-15);
        assertEquals(5.5e-4, s.at(60), 1e-12, "halfway the cosine is at the mean of peak and minimum");
        assertEquals(1e-4, s.at(110), 1e-15);
        assertEquals(1e-4, s.at(5000), 1e-15);
    }
}
