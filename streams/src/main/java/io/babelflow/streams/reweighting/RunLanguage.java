package io.babelflow.streams.reweighting;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.schemas.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** One language of a run's mixture as a policy sees it: id, role and weight at step 0. */
public record RunLanguage(String id, LanguageRole role, double initialWeight) {

    public RunLanguage {
        Objects.requireNonNull(role, "role");
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("a run language has an empty id");
        }
        if (!Double.isFinite(initialWeight) || initialWeight < 0) {
            throw new InvalidInputException("language " + id + " has initial weight " + initialWeight
                    + "; it must be finite and >= 0");
        }
    }

    public static List<RunLanguage> fromSpecs(List<LanguageSpec> specs) {
        return specs.stream().map(s -> new RunLanguage(s.getId(), s.getRole(), s.getInitialWeight())).toList();
    }

    /** Checks a run's language list: non-empty, ids unique. Returns it unchanged. */
    public static List<RunLanguage> validate(List<RunLanguage> languages) {
        if (languages == null || languages.isEmpty()) {
            throw new InvalidInputException("the run has no languages; a mixture needs at least one");
        }
        Set<String> seen = new HashSet<>();
        for (RunLanguage l : languages) {
            if (!seen.add(l.id())) {
                throw new InvalidInputException("language " + l.id() + " appears twice in the run's languages");
            }
        }
        return List.copyOf(languages);
    }
}
