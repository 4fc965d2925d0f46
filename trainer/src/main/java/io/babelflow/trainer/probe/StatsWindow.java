package io.babelflow.trainer.probe;

import java.util.List;

/**
 * FFN activation statistics of every layer over a window of steps, as ActivationStats carries them.
 *
 * @param activeCounts per layer, [languages x neurons] row-major: tokens with post-activation > 0
 * @param activationSums per layer, [languages x neurons] row-major: sum of post-activation values
 */
public record StatsWindow(long windowStart, long windowEnd, List<String> languages, long[] tokens,
        List<float[]> activeCounts, List<float[]> activationSums, int neurons) {

    public int layers() {
        return activeCounts.size();
    }
}
