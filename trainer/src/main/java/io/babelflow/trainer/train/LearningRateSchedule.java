package io.babelflow.trainer.train;

import io.babelflow.trainer.config.RunConfig;

/** Linear warm-up to the peak, then cosine decay to the minimum at {@code decaySteps}, flat after. */
public record LearningRateSchedule(double peak, double minimum, long warmupSteps, long decaySteps) {

    public static LearningRateSchedule of(RunConfig.Training t) {
        return new LearningRateSchedule(t.learningRate(), t.minLearningRate(), t.warmupSteps(), t.decaySteps());
    }

    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (step >= decaySteps) {
            return minimum;
        }
        double progress = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        return minimum + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - minimum);
    }
}
