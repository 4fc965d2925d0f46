package io.babelflow.streams;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The checks both Streams apps apply to decoded inputs; each returns why a record is unusable (it
 * goes to the dead-letter topic) or null. A TrainStep's non-finite per-language losses are not a
 * reason: the reweighting guardrails drop and count them, and the rest of the step is still evidence.
 * A held-out loss is one number per language that the stage detector fits a slope to, so a
 * non-finite one rejects its EvalResult.
 */
public final class InputChecks {
    private InputChecks() {
    }

    public static String runStarted(RunStarted run) {
        if (run.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (run.getWorldSize() < 1) {
            return "worldSize " + run.getWorldSize() + " < 1";
        }
        if (run.getStartStep() < 0) {
            return "negative startStep " + run.getStartStep();
        }
        if (run.getModel().getLayers() < 1 || run.getModel().getFfnWidth() < 1) {
            return "model of " + run.getModel().getLayers() + " layers x " + run.getModel().getFfnWidth() + " neurons";
        }
        Set<String> ids = new HashSet<>();
        for (LanguageSpec spec : run.getLanguages()) {
            if (!ids.add(spec.getId())) {
                return "duplicate language " + spec.getId();
            }
        }
        return ids.isEmpty() ? "no languages" : null;
    }

    public static String trainStep(TrainStep step) {
        if (step.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (step.getStep() < 0) {
            return "negative step " + step.getStep();
        }
        if (step.getWorldSize() < 1 || step.getRank() < 0 || step.getRank() >= step.getWorldSize()) {
            return "rank " + step.getRank() + " outside a world of " + step.getWorldSize();
        }
        return null;
    }

    public static String evalResult(EvalResult eval) {
        if (eval.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (eval.getStep() < 0) {
            return "negative step " + eval.getStep();
        }
        for (Map.Entry<String, Double> loss : eval.getLanguageLoss().entrySet()) {
            if (!(loss.getValue() >= 0) || loss.getValue().isInfinite()) {
                return "loss " + loss.getValue() + " of " + loss.getKey() + " is not a finite cross-entropy";
            }
        }
        return null;
    }

    public static String workingLanguage(WorkingLanguage reading) {
        if (reading.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (reading.getLayers() < 1 || reading.getLayer() < 0 || reading.getLayer() >= reading.getLayers()) {
            return "layer " + reading.getLayer() + " outside a model of " + reading.getLayers() + " layers";
        }
        for (LanguageReading r : reading.getReadings()) {
            for (Map.Entry<String, Double> mass : r.getAnswerMass().entrySet()) {
                double m = mass.getValue();
                if (!(m >= 0 && m <= 1)) {
                    return "answer mass " + m + " on " + mass.getKey() + " for " + r.getProbeLanguage()
                            + " prompts is not a probability";
                }
            }
        }
        return null;
    }

    public static String stageChange(StageChange change) {
        if (change.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (change.getLanguage().isBlank()) {
            return "empty language";
        }
        return change.getStep() < 0 ? "negative step " + change.getStep() : null;
    }
}
