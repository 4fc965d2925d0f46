package io.babelflow.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.babelflow.trainer.model.LanguageModel;
import io.babelflow.trainer.model.ModelOutput;
import io.babelflow.trainer.model.TokenLoss;
import io.babelflow.trainer.probe.ActivationStatsAccumulator;
import java.util.List;

/**
 * One optimisation step of the {@link Trainer}: draw a batch from the mixture in force, forward and
 * backward, add the FFN activations to the training statistics, update the parameters. Every array
 * the step makes lives in a scope closed at its end, so nothing accumulates in the model's manager.
 */
public final class TrainingStep {
    /** What a step reports: its losses and the tokens it trained on. */
    public record Result(StepLosses losses, long tokens) {
    }

    private final LanguageModel model;
    private final AdamW optimizer;
    private final BatchSampler batches;
    private final ActivationStatsAccumulator stats;
    private final List<String> languages;
    private final double gradClipNorm;

    /** @param stats where FFN activations are added, or null when statistics are off */
    public TrainingStep(LanguageModel model, AdamW optimizer, BatchSampler batches, ActivationStatsAccumulator stats,
            List<String> languages, double gradClipNorm) {
        this.model = model;
        this.optimizer = optimizer;
        this.batches = batches;
        this.stats = stats;
        this.languages = List.copyOf(languages);
        this.gradClipNorm = gradClipNorm;
    }

    /** Trains step {@code step} on {@code mixture} at learning rate {@code lr}; a non-finite loss is an error. */
    public Result run(long step, Mixture mixture, double lr) {
        try (NDManager scope = model.manager().newSubManager()) {
            Batch batch = batches.draw(scope, mixture);
            ModelOutput out;
            NDArray nll;
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                out = model.forward(batch.input(), true);
                nll = TokenLoss.crossEntropy(out.logits(), batch.target());
                loss = nll.mean();
                collector.backward(loss);
            }
            // outside the collector: nothing below is recorded for autograd
            if (stats != null) {
                stats.add(out.ffnActivations(), batch.languageOneHot(), batch.tokensPerLanguage());
            }
            StepLosses losses = StepLosses.of(loss.getFloat(), nll.sum(new int[] {1}).toFloatArray(), batch, languages);
            if (!Double.isFinite(losses.loss())) {
                throw new IllegalStateException("training diverged: loss " + losses.loss() + " at step " + step);
            }
            optimizer.step(lr, gradClipNorm);
            return new Result(losses, batch.tokens());
        }
    }
}
