package io.babelflow.ops.experiment;

/**
 * The model and training settings every experiment arm shares, as a run config: the demo's 2 x 64
 * byte-level shape (2 layers, d_model 64, 4 heads, FFN 256, 64-byte windows, batch 8), small enough
 * that a default grid of both experiments fits in an hour on two cores.
 */
final class ExperimentModel {
    static final String SHAPE = "2 layers, d_model 64, 4 heads, FFN 256, 64-byte windows, batch 8";

    private ExperimentModel() {
    }

    /**
     * @param languages    the YAML list items of the languages section (indented two spaces)
     * @param decaySteps   the whole budget of parent plus arm, so a fork continues its parent's schedule
     */
    static String config(String writtenBy, String runName, long seed, long steps, long decaySteps, String languages,
            int evalEvery, String feedback) {
        return """
                # written by %s
                run: {name: %s, steps: %d, seed: %d}
                model: {layers: 2, dModel: 64, heads: 4, ffnWidth: 256, contextLength: 64, activation: GELU}
                training: {batchSize: 8, learningRate: 3.0e-3, minLearningRate: 3.0e-4, warmupSteps: 20, decaySteps: %d,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                %smixture: {phases: []}
                probes: {statsEvery: 10, evalEvery: %d, evalBatchSize: 16, maxProbeWindows: 16, promptDir: null}
                checkpoint: {every: 100, keep: 2}
                logging: {every: 10}
                feedback: %s
                """.formatted(writtenBy, runName, steps, seed, decaySteps, languages, evalEvery, feedback);
    }
}
