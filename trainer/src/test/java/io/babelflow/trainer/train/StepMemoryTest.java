package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's {@link TrainingStep}: its arrays die with its scope, nothing accumulates in the model's manager. */
class StepMemoryTest {
    @Test
    void aStepLeavesNoArraysBehind(@TempDir Path tmp) {
        PreparedCorpus corpus = PreparedCorpus.open(FixtureCorpus.write(tmp));
        List<String> languages = List.of("python", "go");
        ModelConfig config = new ModelConfig(2, 32, 4, 64, 32, FfnActivation.GELU);
        MixtureSampler sampler = new MixtureSampler(languages,
                RunConfig.schedule(languages, Map.of("python", 1.0, "go", 1.0), List.of()), 1);
        BatchSampler batches = new BatchSampler(corpus, languages, 32, 4, sampler);
        try (LanguageModel model = LanguageModel.create(config, 1);
                AdamW optimizer = new AdamW(model.parameters(), model.manager(), 0.9, 0.95, 1e-8, 0.1);
                ActivationStatsAccumulator stats = new ActivationStatsAccumulator(model.manager(), languages, 2, 64)) {
            TrainingStep trainingStep = new TrainingStep(model, optimizer, batches, stats, languages, 1.0);
            int after1 = 0;
            for (int step = 0; step < 6; step++) {
                trainingStep.run(step, sampler.beginStep(step), 1e-3);
                if (step % 3 == 2) {
                    stats.drain(0, step);
                }
                int live = ((BaseNDManager) model.manager()).getManagedArrays().size();
                if (step == 1) {
                    after1 = live;
                } else if (step > 1) {
                    assertEquals(after1, live, "arrays alive in the model's manager after step " + step);
                }
            }
            // parameters + 2 moments each + one statistics total per layer
            assertEquals(3 * model.parameters().size() + 2, after1);
        }
    }
}
