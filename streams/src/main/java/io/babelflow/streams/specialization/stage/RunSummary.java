package io.babelflow.streams.specialization.stage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The current specialization picture of a run, as served by the query API: the latest closed
 * window, working language and held-out loss of each new language, and each one's stage.
 *
 * @param stages       new language to detector state (stage and the streak toward the next)
 * @param middleShares new language to eval step to middle-layer share, the last {@link #SHARES_KEPT} steps:
 *                     a window closing after newer readings arrived is judged on the share of its own step
 */
public record RunSummary(String runId, String primary, List<String> newLanguages, long windowsClosed,
        StageEvidence.WindowEvidence lastWindow, Map<String, StageEvidence.ShareEvidence> workingLanguage,
        Map<String, StageEvidence.LossEvidence> heldOutLoss, Map<String, StageState> stages, long updatedAt,
        Map<String, Map<Long, Double>> middleShares) {
    static final int SHARES_KEPT = 64;

    public RunSummary {
        middleShares = middleShares == null ? Map.of() : middleShares;
    }

    public static RunSummary empty(String runId, RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), 0, null, Map.of(), Map.of(),
                Map.of(), 0, Map.of());
    }

    public RunSummary withLanguages(RunLanguages languages) {
        return new RunSummary(runId, languages.primary(), languages.newLanguages(), windowsClosed, lastWindow,
                workingLanguage, heldOutLoss, stages, updatedAt, middleShares);
    }

    public RunSummary withWindow(StageEvidence.WindowEvidence window, long now) {
        boolean newest = lastWindow == null || window.windowEnd() > lastWindow.windowEnd();
        return new RunSummary(runId, primary, newLanguages, windowsClosed + 1, newest ? window : lastWindow,
                workingLanguage, heldOutLoss, stages, now, middleShares);
    }

    public RunSummary withShare(StageEvidence.ShareEvidence share, long now) {
        Map<String, StageEvidence.ShareEvidence> next = new HashMap<>(workingLanguage);
        StageEvidence.ShareEvidence before = next.get(share.language());
        if (before == null || share.step() >= before.step()) {
            next.put(share.language(), share);
        }
        Map<String, Map<Long, Double>> shares = new HashMap<>(middleShares);
        TreeMap<Long, Double> kept = new TreeMap<>(shares.getOrDefault(share.language(), Map.of()));
        kept.put(share.step(), share.middleShare());
        while (kept.size() > SHARES_KEPT) {
            kept.pollFirstEntry();
        }
        shares.put(share.language(), kept);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, next, heldOutLoss, stages, now,
                shares);
    }

    public RunSummary withLoss(StageEvidence.LossEvidence loss, long now) {
        Map<String, StageEvidence.LossEvidence> next = new HashMap<>(heldOutLoss);
        next.put(loss.language(), loss);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, workingLanguage, next, stages,
                now, middleShares);
    }

    public RunSummary withStage(String language, StageState state) {
        Map<String, StageState> next = new HashMap<>(stages);
        next.put(language, state);
        return new RunSummary(runId, primary, newLanguages, windowsClosed, lastWindow, workingLanguage, heldOutLoss,
                next, updatedAt, middleShares);
    }

    public StageState stage(String language) {
        return stages.getOrDefault(language, StageState.INITIAL);
    }

    public double middleShare(String language) {
        StageEvidence.ShareEvidence share = workingLanguage.get(language);
        return share == null ? Double.NaN : share.middleShare();
    }

    /** The middle-layer share of the newest eval step at or before {@code step}; NaN when none is kept. */
    public double middleShareAt(String language, long step) {
        Map<Long, Double> kept = middleShares.get(language);
        if (kept == null) {
            return Double.NaN;
        }
        Map.Entry<Long, Double> at = new TreeMap<>(kept).floorEntry(step);
        return at == null ? Double.NaN : at.getValue();
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
