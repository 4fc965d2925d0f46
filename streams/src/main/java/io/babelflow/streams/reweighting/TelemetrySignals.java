package io.babelflow.streams.reweighting;

import io.babelflow.events.EvalResult;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Avro telemetry to policy signals. A step or eval point reported by several data-parallel ranks is
 * merged into one signal: per-language losses are token-weighted means over the ranks (a plain mean
 * where no tokens were reported), tokens add up.
 */
public final class TelemetrySignals {
    private TelemetrySignals() {
    }

    /** One step from the records of its ranks (all of the same step). */
    public static StepSignal step(List<TrainStep> ranks) {
        if (ranks.isEmpty()) {
            throw new IllegalArgumentException("no TrainStep records to merge");
        }
        long tokens = 0;
        Map<String, Long> languageTokens = new LinkedHashMap<>();
        TrainStep newest = ranks.get(0);
        for (TrainStep r : ranks) {
            tokens += r.getTokens();
            r.getLanguageTokens().forEach((l, n) -> languageTokens.merge(l, n, Long::sum));
            if (r.getMixtureVersion() > newest.getMixtureVersion()) {
                newest = r;
            }
        }
        Map<String, Double> loss = meanLoss(ranks.stream().map(TrainStep::getLanguageLoss).toList(),
                ranks.stream().map(TrainStep::getLanguageTokens).toList());
        return new StepSignal(ranks.get(0).getStep(), tokens, loss, languageTokens, newest.getMixtureVersion(),
                newest.getMixtureWeights());
    }

    /** One eval point from the records of its ranks (all of the same step). */
    public static EvalSignal eval(List<EvalResult> ranks) {
        if (ranks.isEmpty()) {
            throw new IllegalArgumentException("no EvalResult records to merge");
        }
        return new EvalSignal(ranks.get(0).getStep(), meanLoss(ranks.stream().map(EvalResult::getLanguageLoss).toList(),
                ranks.stream().map(EvalResult::getLanguageTokens).toList()));
    }

    public static StageChangeSignal stage(StageChange change) {
        return new StageChangeSignal(change.getLanguage(), change.getFrom(), change.getTo(), change.getStep(),
                change.getSignals());
    }

    private static Map<String, Double> meanLoss(List<Map<String, Double>> losses, List<Map<String, Long>> tokens) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // weighted sum, weight, plain sum, count
        for (int r = 0; r < losses.size(); r++) {
            Map<String, Long> n = tokens.get(r) == null ? new HashMap<>() : tokens.get(r);
            for (Map.Entry<String, Double> e : losses.get(r).entrySet()) {
                double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[4]);
                long w = Math.max(0, n.getOrDefault(e.getKey(), 0L));
                a[0] += w * e.getValue();
                a[1] += w;
                a[2] += e.getValue();
                a[3] += 1;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        acc.forEach((l, a) -> out.put(l, a[1] > 0 ? a[0] / a[1] : a[2] / a[3]));
        return out;
    }
}
