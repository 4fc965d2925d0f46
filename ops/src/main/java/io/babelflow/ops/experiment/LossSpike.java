package io.babelflow.ops.experiment;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The loss spike a source shows when the data mixture switches: against the held-out loss at the
 * switch, how high it rises afterwards and how many steps it takes to come back. No Kafka types.
 *
 * @param height    highest held-out loss after the switch minus the loss at the switch (0 when it never rose)
 * @param peakStep  step of that highest loss (the switch step when it never rose)
 * @param duration  steps from the switch until the loss is back at or below its value at the switch,
 *                  read at eval points; 0 when it never rose, empty when it had not come back by the end
 */
public record LossSpike(double height, long peakStep, OptionalLong duration) {

    /**
     * @param atSwitch held-out loss at the switch (the parent's last eval before the fork)
     * @param switchStep first step trained on the new mixture
     * @param after    step -> held-out loss at the eval points after the switch
     */
    public static LossSpike measure(double atSwitch, long switchStep, TreeMap<Long, Double> after) {
        double peak = atSwitch;
        long peakStep = switchStep;
        for (Map.Entry<Long, Double> e : after.entrySet()) {
            if (e.getValue() > peak) {
                peak = e.getValue();
                peakStep = e.getKey();
            }
        }
        if (peakStep == switchStep) {
            return new LossSpike(0, switchStep, OptionalLong.of(0));
        }
        for (Map.Entry<Long, Double> e : after.tailMap(peakStep, false).entrySet()) {
            if (e.getValue() <= atSwitch) {
                return new LossSpike(peak - atSwitch, peakStep, OptionalLong.of(e.getKey() + 1 - switchStep));
            }
        }
        return new LossSpike(peak - atSwitch, peakStep, OptionalLong.empty());
    }
}
