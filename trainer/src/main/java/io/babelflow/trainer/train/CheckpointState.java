package io.babelflow.trainer.train;

import io.babelflow.trainer.model.ModelConfig;
import java.util.List;

/**
 * The scalar part of a checkpoint (state.json): where the run stands and the shape it was saved
 * from. The arrays sit beside it in model.params, optimizer.ndlist and stats.ndlist.
 *
 * @param nextStep        first step a resume runs
 * @param nextSequence    telemetry sequence number of the resumed part's RunStarted
 * @param optimizerSteps  AdamW's bias-correction counter
 * @param statsWindowStart first step of the open TRAIN activation-statistics window
 * @param statsTokens     tokens per language accumulated in that window
 * @param parentRunId     for a forked run, the run it started from; null otherwise (and in older checkpoints)
 * @param forkStep        for a forked run, the parent's checkpoint step it started from; null otherwise
 */
public record CheckpointState(String runId, long nextStep, long nextSequence, ModelConfig model,
        List<String> languages, long optimizerSteps, MixtureSampler.State sampler, long statsWindowStart,
        long[] statsTokens, String parentRunId, Long forkStep) {
}
