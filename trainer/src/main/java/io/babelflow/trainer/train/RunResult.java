package io.babelflow.trainer.train;

import java.nio.file.Path;

/**
 * How a call to {@link Trainer#run()} ended.
 *
 * @param firstStep first step this call ran
 * @param lastStep  last completed step (firstStep - 1 if none ran)
 * @param reason    {@code completed} or {@code interrupted} (checkpointed, resumable)
 */
public record RunResult(String runId, Path runDir, long firstStep, long lastStep, String reason, Path checkpoint) {
}
