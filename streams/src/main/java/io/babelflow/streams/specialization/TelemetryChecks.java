package io.babelflow.streams.specialization;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunStarted;
import io.babelflow.events.WorkingLanguage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Sanity checks of the non-activation inputs; each returns why a record is unusable, or null. */
final class TelemetryChecks {
    private TelemetryChecks() {
    }

    static String runStarted(RunStarted run) {
        if (run.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (run.getWorldSize() < 1) {
            return "worldSize " + run.getWorldSize() + " < 1";
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

    static String workingLanguage(WorkingLanguage reading) {
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

    static String evalResult(EvalResult eval) {
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
}
