package io.babelflow.streams.specialization.stage;

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
        StageEvidence.WindowEvidence lastWindow, Map<String, StageEvidence.ShareEvidence> workingLanguage,
        Map<String, StageEvidence.LossEvidence> heldOutLoss, Map<String, StageState> stages, long updatedAt) {

    public static RunSummary empty(String runId, RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), 0, null, Map.of(), Map.of(),
                Map.of(), 0);
    }

    public RunSummary withLanguages(RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), windowsClosed, lastWindow,
                workingLanguage, heldOutLoss, stages, updatedAt);
    }

    public RunSummary withWindow(StageEvidence.WindowEvidence window, long now) {
        boolean newest = lastWindow == null || window.windowEnd() > lastWindow.windowEnd();
        return new RunSummary(runId, primary, newLanguages, windowsClosed + 1, newest ? window : lastWindow,
                workingLanguage, heldOutLoss, stages, now);
    }

    public RunSummary withShare(StageEvidence.ShareEvidence share, long now) {
        Map<String, StageEvidence.ShareEvidence> next = new HashMap<>(workingLanguage);
        next.put(share.language(), share);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, next, heldOutLoss, stages, now);
    }

    public RunSummary withLoss(StageEvidence.LossEvidence loss, long now) {
        Map<String, StageEvidence.LossEvidence> next = new HashMap<>(heldOutLoss);
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
        StageEvidence.ShareEvidence share = workingLanguage.get(language);
        return share == null ? Double.NaN : share.middleShare();
    }

    public double lossSlope(String language) {
        StageEvidence.LossEvidence loss = heldOutLoss.get(language);
        return loss == null ? Double.NaN : loss.slopePer1000Steps();
    }

    /** The language's held-out loss trajectory at its latest eval point; null while unknown. */
    public LossTrajectory.Reading lossTrajectory(String language) {
        StageEvidence.LossEvidence loss = heldOutLoss.get(language);
        return loss == null ? null : loss.trajectory();
    }
}
