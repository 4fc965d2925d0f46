package io.babelflow.ops.experiment;

import java.nio.file.Path;

/**
 * One run of an experiment grid: its arm and seed, folder and config, and where it starts (a fork of
 * the shared first phase, or from scratch when {@code forkFrom} is null).
 *
 * @param startStep first step it trains (the fork step, or 0)
 * @param steps     run.steps of its config: it trains steps startStep..steps-1
 */
public record GridRun(String arm, long seed, Path dir, String config, Path forkFrom, long startStep, long steps) {
    public String label() {
        return forkFrom == null ? arm : arm + " seed " + seed;
    }

    public long stepsToTrain() {
        return steps - startStep;
    }
}
