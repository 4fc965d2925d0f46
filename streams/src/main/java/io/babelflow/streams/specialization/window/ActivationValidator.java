package io.babelflow.streams.specialization.window;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunStarted;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks an ActivationStats record against its own fields and against its run's RunStarted.
 * Each check returns the reason the record is unusable, or null. A record that fails goes to the
 * dead-letter topic instead of being merged: one bad rank would otherwise poison a window's
 * percentile bar for the whole model.
 */
public final class ActivationValidator {
    private ActivationValidator() {
    }

    /** Shape, ranges and numeric sanity: finite counts in [0, tokens], finite sums. */
    public static String checkRecord(ActivationStats s) {
        if (s.getRunId() == null || s.getRunId().isEmpty()) {
            return "empty runId";
        }
        if (s.getWorldSize() < 1 || s.getRank() < 0 || s.getRank() >= s.getWorldSize()) {
            return "rank " + s.getRank() + " outside world of size " + s.getWorldSize();
        }
        if (s.getLayers() < 1 || s.getLayer() < 0 || s.getLayer() >= s.getLayers()) {
            return "layer " + s.getLayer() + " outside a model of " + s.getLayers() + " layers";
        }
        if (s.getNeurons() < 1) {
            return "neurons " + s.getNeurons() + " < 1";
        }
        if (s.getWindowStart() < 0 || s.getWindowEnd() < s.getWindowStart()) {
            return "window [" + s.getWindowStart() + ", " + s.getWindowEnd() + "] is not a step range";
        }
        List<String> languages = s.getLanguages();
        if (languages.isEmpty()) {
            return "no languages";
        }
        if (new HashSet<>(languages).size() != languages.size()) {
            return "duplicate language in " + languages;
        }
        if (s.getTokens().size() != languages.size()) {
            return s.getTokens().size() + " token totals for " + languages.size() + " languages";
        }
        long cells = (long) languages.size() * s.getNeurons();
        long expectedBytes = cells * Float.BYTES;
        if (s.getActiveCounts().remaining() != expectedBytes) {
            return "activeCounts has " + s.getActiveCounts().remaining() + " bytes, expected " + expectedBytes
                    + " (" + languages.size() + " languages x " + s.getNeurons() + " neurons x 4)";
        }
        if (s.getActivationSums().remaining() != expectedBytes) {
            return "activationSums has " + s.getActivationSums().remaining() + " bytes, expected " + expectedBytes;
        }
        ByteBuffer counts = s.getActiveCounts().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int l = 0; l < languages.size(); l++) {
            long tokens = s.getTokens().get(l);
            if (tokens < 0) {
                return "negative token total " + tokens + " for " + languages.get(l);
            }
            for (int n = 0; n < s.getNeurons(); n++) {
                float c = counts.getFloat((l * s.getNeurons() + n) * Float.BYTES);
                if (!Float.isFinite(c)) {
                    return "activeCount of " + languages.get(l) + " neuron " + n + " is " + c;
                }
                if (c < 0 || c > tokens) {
                    return "activeCount " + c + " of " + languages.get(l) + " neuron " + n + " outside [0, "
                            + tokens + " tokens]: probability outside [0, 1]";
                }
            }
        }
        ByteBuffer sums = s.getActivationSums().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < cells; i++) {
            float v = sums.getFloat(i * Float.BYTES);
            if (!Float.isFinite(v)) {
                return "activationSum " + i + " (language " + languages.get(i / s.getNeurons()) + ", neuron "
                        + i % s.getNeurons() + ") is " + v;
            }
        }
        return null;
    }

    /** Agreement with the run's model shape, world and languages. */
    public static String checkAgainstRun(ActivationStats s, RunStarted run) {
        return checkAgainstRun(s.getLayers(), s.getNeurons(), s.getWorldSize(), s.getLanguages(), run);
    }

    /** Agreement of a layer piece (ranks added up) with the run's model shape, world and languages. */
    public static String checkAgainstRun(LayerPiece p, RunStarted run) {
        return checkAgainstRun(p.layers(), p.neurons(), p.worldSize(), p.counts().languages(), run);
    }

    private static String checkAgainstRun(int layers, int neurons, int worldSize, List<String> languages,
            RunStarted run) {
        if (layers != run.getModel().getLayers()) {
            return "layers " + layers + " but the run's model has " + run.getModel().getLayers();
        }
        if (neurons != run.getModel().getFfnWidth()) {
            return "neurons " + neurons + " but the run's model has ffnWidth " + run.getModel().getFfnWidth();
        }
        if (worldSize != run.getWorldSize()) {
            return "worldSize " + worldSize + " but the run started with " + run.getWorldSize();
        }
        Set<String> known = new HashSet<>();
        for (LanguageSpec spec : run.getLanguages()) {
            known.add(spec.getId());
        }
        for (String language : languages) {
            if (!known.contains(language)) {
                return "language " + language + " is not one of the run's " + known;
            }
        }
        return null;
    }
}
