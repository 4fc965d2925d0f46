package io.babelflow.streams.specialization.stage;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunStarted;
import java.util.ArrayList;
import java.util.List;

/** The primary language and the new languages of a run, from its RunStarted. */
public record RunLanguages(String primary, List<String> newLanguages) {
    public static final RunLanguages UNKNOWN = new RunLanguages(null, List.of());

    /** The first PRIMARY language (a run has one) and every NEW language, in config order. */
    public static RunLanguages of(RunStarted run) {
        if (run == null) {
            return UNKNOWN;
        }
        String primary = null;
        List<String> fresh = new ArrayList<>();
        for (LanguageSpec spec : run.getLanguages()) {
            if (spec.getRole() == LanguageRole.PRIMARY && primary == null) {
                primary = spec.getId();
            } else if (spec.getRole() == LanguageRole.NEW) {
                fresh.add(spec.getId());
            }
        }
        return new RunLanguages(primary, List.copyOf(fresh));
    }

    public boolean known() {
        return primary != null;
    }
}
