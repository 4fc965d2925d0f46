package io.babelflow.streams.reweighting.app;

import io.babelflow.events.RunStarted;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.streams.InputChecks;
import io.babelflow.streams.reweighting.MixtureController;
import io.babelflow.streams.reweighting.PolicyFactory;
import io.babelflow.streams.reweighting.RunLanguage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a steered run's controller is built from: the RunStarted's policy, parameters and languages.
 * Stored per run so a restarted app rebuilds the very controller whose snapshot it restores; a new
 * RunStarted that leaves all three equal (another rank's, or a resume) keeps the controller running.
 */
record FeedbackRun(String policy, Map<String, String> params, List<RunLanguage> languages) {

    FeedbackRun {
        Objects.requireNonNull(policy, "policy");
        params = new TreeMap<>(params == null ? Map.of() : params);
        languages = List.copyOf(languages);
    }

    /** The run's configuration, or null when it asks for no feedback. */
    static FeedbackRun of(RunStarted run) {
        if (run.getFeedbackPolicy() == null) {
            return null;
        }
        return new FeedbackRun(run.getFeedbackPolicy().trim(), run.getPolicyParams(),
                RunLanguage.fromSpecs(run.getLanguages()));
    }

    /**
     * The shared RunStarted checks, then: a run asking for feedback must name a policy the factory
     * can build with its parameters and languages; the reason is the factory's own message.
     */
    static String problem(RunStarted run) {
        String problem = InputChecks.runStarted(run);
        if (problem != null) {
            return problem;
        }
        try {
            FeedbackRun config = of(run);
            if (config != null) {
                config.controller();
            }
            return null;
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
    }

    /** A fresh controller; throws {@link InvalidInputException} on a bad policy or params. */
    MixtureController controller() {
        return PolicyFactory.controller(policy, params, languages);
    }
}
