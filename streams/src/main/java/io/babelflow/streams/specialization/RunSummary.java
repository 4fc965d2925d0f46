package io.babelflow.streams.specialization;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The current specialization picture of a run, as served by the query API: the latest closed
 * window, working language and held-out loss of each new language, and each one's stage.
 *
 * @param stages new language to detector state (stage and the streak toward the next)
 */
public record RunSummary(String runId, String primary, List<String> newLanguages, long windowsClosed,
        StageSignal.WindowSignal lastWindow, Map<String, StageSignal.ShareSignal> workingLanguage,
        Map<String, StageSignal.LossSignal> heldOutLoss, Map<String, StageState> stages, long updatedAt) {

    public static RunSummary empty(String runId, RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), 0, null, Map.of(), Map.of(),
                Map.of(), 0);
    }

    public RunSummary withLanguages(RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), windowsClosed, lastWindow,
                workingLanguage, heldOutLoss, stages, updatedAt);
    }

    public RunSummary withWindow(StageSignal.WindowSignal window, long now) {
        boolean newest = lastWindow == null || window.windowEnd() > lastWindow.windowEnd();
        return new RunSummary(runId, primary, newLanguages, windowsClosed + 1, newest ? window : lastWindow,
                workingLanguage, heldOutLoss, stages, now);
    }

    public RunSummary withShare(StageSignal.ShareSignal share, long now) {
        Map<String, StageSignal.ShareSignal> next = new HashMap<>(workingLanguage);
        next.put(share.language(), share);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, next, heldOutLoss, stages, now);
    }

    public RunSummary withLoss(StageSignal.LossSignal loss, long now) {
        Map<String, StageSignal.LossSignal> next = new HashMap<>(heldOutLoss);
        next.put(loss.language(), loss);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, workingLanguage, next, stages,
                now);
    }

    public RunSummary withStage(String language, StageState state) {
        Map<String, StageState> next = new HashMap<>(stages);
        next.put(language, state);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, workingLanguage, heldOutLoss,
                next, updatedAt);
    }

    public StageState stage(String language) {
        return stages.getOrDefault(language, StageState.INITIAL);
    }

    public double middleShare(String language) {
        StageSignal.ShareSignal share = workingLanguage.get(language);
        return share == null ? Double.NaN : share.middleShare();
    }

    public double lossSlope(String language) {
        StageSignal.LossSignal loss = heldOutLoss.get(language);
        return loss == null ? Double.NaN : loss.slopePer1000Steps();
    }
}
