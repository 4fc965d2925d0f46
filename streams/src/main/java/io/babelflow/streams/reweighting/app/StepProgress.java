package io.babelflow.streams.reweighting.app;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per-run position of the rank merge: the last step and eval point fed to the controller, and the
 * newest step each data-parallel rank has reported. Records at or below the fed positions are late
 * or duplicates.
 *
 * @param partStartStep    startStep of the newest run part (RunStarted) seen, -1 before any
 * @param lastMergedStep   newest step fed to the controller, -1 before any
 * @param lastEvalStep     newest eval point fed to the controller, -1 before any
 * @param latestStepByRank newest step reported by each rank in this part
 */
record StepProgress(long partStartStep, long lastMergedStep, long lastEvalStep, SortedMap<Integer, Long> latestStepByRank) {

    static final StepProgress NONE = new StepProgress(-1, -1, -1, new TreeMap<>());

    StepProgress {
        latestStepByRank = Collections.unmodifiableSortedMap(new TreeMap<>(latestStepByRank));
    }

    /**
     * Whether every rank {@code 0 … worldSize-1} has reported {@code step} or a later one. A rank's
     * records share the run's partition and arrive in the order its producer sent them, so a rank
     * that has moved past {@code step} without reporting it never will: the step can be merged.
     */
    boolean passedByAllRanks(long step, int worldSize) {
        for (int rank = 0; rank < worldSize; rank++) {
            if (latestStepByRank.getOrDefault(rank, -1L) < step) {
                return false;
            }
        }
        return true;
    }

    StepProgress withRankAt(int rank, long step) {
        SortedMap<Integer, Long> latest = new TreeMap<>(latestStepByRank);
        latest.merge(rank, step, Math::max);
        return new StepProgress(partStartStep, lastMergedStep, lastEvalStep, latest);
    }

    StepProgress withMerged(long step) {
        return new StepProgress(partStartStep, Math.max(lastMergedStep, step), lastEvalStep, latestStepByRank);
    }

    StepProgress withEval(long step) {
        return new StepProgress(partStartStep, lastMergedStep, Math.max(lastEvalStep, step), latestStepByRank);
    }

    /**
     * A new run part starting at {@code startStep}: a resume from a checkpoint re-runs the steps after
     * it, so those become acceptable again, and ranks start over.
     */
    StepProgress resumedAt(long startStep) {
        return new StepProgress(startStep, Math.min(lastMergedStep, startStep - 1), Math.min(lastEvalStep, startStep - 1),
                new TreeMap<>());
    }
}
