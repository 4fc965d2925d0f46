package io.babelflow.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny run the integration tests train (2 layers × dModel 32, batch 4; Python, then Go at weight 0
 * until a policy or an update brings it in), written as a run config file. Defaults: no held-out eval
 * before step 1000, one checkpoint at most every 1000 steps, no feedback policy.
 */
public record TinyRun(String name, int steps, int evalEvery, int checkpointEvery, int checkpointKeep, String feedback) {

    public static TinyRun of(String name, int steps) {
        return new TinyRun(name, steps, 1000, 1000, 1, "null");
    }

    public TinyRun evalEvery(int every) {
        return new TinyRun(name, steps, every, checkpointEvery, checkpointKeep, feedback);
    }

    public TinyRun checkpoints(int every, int keep) {
        return new TinyRun(name, steps, evalEvery, every, keep, feedback);
    }

    /** The config's {@code feedback:} value as YAML, e.g. {@code {policy: exp3, params: {every: '5'}}}. */
    public TinyRun feedback(String yaml) {
        return new TinyRun(name, steps, evalEvery, checkpointEvery, checkpointKeep, yaml);
    }

    /** Writes {@code DIR/NAME.yaml} and returns its path. */
    public Path writeTo(Path dir) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                run: {name: %s, steps: %d, seed: 7}
                model: {layers: 2, dModel: 32, heads: 2, ffnWidth: 64, contextLength: 32, activation: GELU}
                training: {batchSize: 4, learningRate: 3.0e-3, minLearningRate: 3.0e-4, warmupSteps: 5, decaySteps: %d,
                           weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1.0e-8, gradClipNorm: 1.0}
                languages:
                  - {id: python, role: PRIMARY, weight: 1.0}
                  - {id: go, role: NEW, weight: 0.0}
                mixture: {phases: []}
                probes: {statsEvery: 10, evalEvery: %d, evalBatchSize: 8, maxProbeWindows: 4, promptDir: null}
                checkpoint: {every: %d, keep: %d}
                logging: {every: 1}
                feedback: %s
                """.formatted(name, steps, steps, evalEvery, checkpointEvery, checkpointKeep, feedback));
    }
}
