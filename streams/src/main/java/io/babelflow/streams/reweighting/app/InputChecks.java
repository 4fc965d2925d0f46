package io.babelflow.streams.reweighting.app;

import io.babelflow.events.EvalResult;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.schemas.InvalidInputException;

/**
 * Checks of the decoded inputs; each returns why a record is unusable (it goes to the dead-letter
 * topic) or null. Non-finite losses are not a reason: the controller's guardrails drop and count
 * them, and the rest of the step is still evidence.
 */
final class InputChecks {
    private InputChecks() {
    }

    /**
     * A run asking for feedback must name a policy the factory can build with its parameters and
     * languages; the reason is the factory's own message. Runs without feedback pass unchecked.
     */
    static String runStarted(RunStarted run) {
        if (run.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (run.getWorldSize() < 1) {
            return "worldSize " + run.getWorldSize() + " < 1";
        }
        if (run.getStartStep() < 0) {
            return "negative startStep " + run.getStartStep();
        }
        try {
            FeedbackRun config = FeedbackRun.of(run);
            if (config != null) {
                config.controller();
            }
            return null;
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
    }

    static String trainStep(TrainStep step) {
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

    static String evalResult(EvalResult eval) {
        if (eval.getRunId().isEmpty()) {
            return "empty runId";
        }
        return eval.getStep() < 0 ? "negative step " + eval.getStep() : null;
    }

    static String stageChange(StageChange change) {
        if (change.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (change.getLanguage().isBlank()) {
            return "empty language";
        }
        return change.getStep() < 0 ? "negative step " + change.getStep() : null;
    }
}
