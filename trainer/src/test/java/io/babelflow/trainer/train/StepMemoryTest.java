package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.babelflow.trainer.FixtureCorpus;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.trainer.corpus.PreparedCorpus;
import io.babelflow.trainer.model.FfnActivation;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelConfig;
import io.babelflow.trainer.model.ModelOutput;
import io.babelflow.trainer.model.TokenLoss;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training step's arrays die with its scope: nothing accumulates in the model's manager. */
class StepMemoryTest {
    @Test
    void aStepLeavesNoArraysBehind(@TempDir Path tmp) {
        PreparedCorpus corpus = PreparedCorpus.open(FixtureCorpus.write(tmp));
        List<String> languages = List.of("python", "go");
        ModelConfig config = new ModelConfig(2, 32, 4, 64, 32, FfnActivation.GELU);
        MixtureSampler sampler = new MixtureSampler(languages, RunConfig.schedule(languages, Map.of("python", 1.0, "go", 1.0),
                List.of()), 1);
        BatchSampler batches = new BatchSampler(corpus, languages, 32, 4, sampler);
        try (LanguageModel model = LanguageModel.create(config, 1);
                AdamW optimizer = new AdamW(model.parameters(), model.manager(), 0.9, 0.95, 1e-8, 0.1);
                ActivationStatsAccumulator stats = new ActivationStatsAccumulator(model.manager(), languages, 2, 64)) {
            int after1 = 0;
            for (int step = 0; step < 6; step++) {
                try (NDManager scope = model.manager().newSubManager()) {
                    Batch batch = batches.draw(scope, sampler.beginStep(step));
                    ModelOutput out;
                    NDArray loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        out = model.forward(batch.input(), true);
                        loss = TokenLoss.crossEntropy(out.logits(), batch.target()).mean();
                        collector.backward(loss);
                    }
                    stats.add(out.ffnActivations(), batch.languageOneHot(), batch.tokensPerLanguage());
                    loss.getFloat();
                    optimizer.step(1e-3, 1.0);
                }
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
