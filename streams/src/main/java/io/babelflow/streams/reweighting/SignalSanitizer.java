package io.babelflow.streams.reweighting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps what a policy may read of a signal: the run's languages only, finite and non-negative
 * values. Everything dropped is counted through {@link Tally}.
 */
final class SignalSanitizer {

    /** Where dropped values are counted. */
    interface Tally {
        void count(long nonFinite, long negative, long unknownLanguages);
    }

    private final List<String> languages;
    private final Tally tally;

    SignalSanitizer(List<String> languages, Tally tally) {
        this.languages = List.copyOf(languages);
        this.tally = tally;
    }

    StepSignal sanitize(StepSignal s) {
        long tokens = s.tokens();
        if (tokens < 0) {
            tally.count(0, 1, 0);
            tokens = 0;
        }
        return new StepSignal(s.step(), tokens, clean(s.languageLoss()), cleanCounts(s.languageTokens()),
                s.mixtureVersion(), clean(s.weightsInForce()));
    }

    EvalSignal sanitize(EvalSignal s) {
        return new EvalSignal(s.step(), clean(s.heldoutLoss()));
    }

    /** Stage changes of languages outside the run are dropped (empty); their signal values are cleaned. */
    Optional<StageChangeSignal> sanitize(StageChangeSignal s) {
        if (!languages.contains(s.language())) {
            tally.count(0, 0, 1);
            return Optional.empty();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        s.signals().forEach((k, v) -> {
            if (v == null || !Double.isFinite(v)) {
                tally.count(1, 0, 0);
            } else {
                values.put(k, v);
            }
        });
        return Optional.of(new StageChangeSignal(s.language(), s.from(), s.to(), s.step(), values));
    }

    /** The run languages' finite, non-negative values, in the run's language order. */
    Map<String, Double> clean(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String l : languages) {
            Double v = values.get(l);
            if (v == null) {
                continue;
            }
            if (!Double.isFinite(v)) {
                tally.count(1, 0, 0);
            } else if (v < 0) {
                tally.count(0, 1, 0);
            } else {
                out.put(l, v);
            }
        }
        countUnknown(values.keySet());
        return out;
    }

    private Map<String, Long> cleanCounts(Map<String, Long> values) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String l : languages) {
            Long v = values.get(l);
            if (v == null) {
                continue;
            }
            if (v < 0) {
                tally.count(0, 1, 0);
            } else {
                out.put(l, v);
            }
        }
        countUnknown(values.keySet());
        return out;
    }

    private void countUnknown(Set<String> keys) {
        long unknown = keys.stream().filter(k -> !languages.contains(k)).count();
        if (unknown > 0) {
            tally.count(0, 0, unknown);
        }
    }
}
