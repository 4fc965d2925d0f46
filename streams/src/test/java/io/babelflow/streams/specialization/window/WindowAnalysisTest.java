package io.babelflow.streams.specialization.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.ModelShape;
import io.babelflow.events.RunStarted;
import io.babelflow.streams.specialization.lape.LapeParameters;
import io.babelflow.streams.specialization.lape.NeuronSets;
import io.babelflow.streams.specialization.stage.RunLanguages;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The window analysis's own steps, on hand-made sets and counts with known answers. */
class WindowAnalysisTest {

    @Test
    void onlyLanguagesWithTokensInEveryLayerCountInTheRunsOrder() {
        LayerCounts layer0 = new LayerCounts(1);
        layer0.add(List.of("go", "python", "rust"), new long[] {5, 5, 5}, new float[] {1, 1, 1});
        LayerCounts layer1 = new LayerCounts(1);
        layer1.add(List.of("python", "go"), new long[] {5, 5}, new float[] {1, 1});
        TreeMap<Integer, LayerCounts> layers = new TreeMap<>(Map.of(0, layer0, 1, layer1));
        RunStarted run = RunStarted.newBuilder().setRunId("run-1").setRank(0).setWorldSize(1).setSequence(0)
                .setStartedAt(Instant.EPOCH).setStartStep(0).setConfig("{}")
                .setLanguages(List.of(new LanguageSpec("python", LanguageRole.PRIMARY, 0.5),
                        new LanguageSpec("go", LanguageRole.NEW, 0.5)))
                .setModel(new ModelShape(2, 16, 2, 1, 64, 256)).build();
        assertEquals(List.of("python", "go"), WindowAnalysis.languagesWithTokens(layers, run));
        assertEquals(List.of("go", "python"), WindowAnalysis.languagesWithTokens(layers, null));
    }

    @Test
    void transferringNeuronsAreTheNewLanguagesSetsSharedWithThePrimary() {
        RunLanguages roles = new RunLanguages("python", List.of("go", "rust"));
        Map<String, List<Integer>> t = WindowAnalysis.transferring(roles,
                Map.of("python", new int[] {1, 2, 3}, "go", new int[] {2, 3, 4}));
        assertEquals(Map.of("go", List.of(2, 3)), t);
        assertTrue(WindowAnalysis.transferring(roles, Map.of("go", new int[] {2})).isEmpty(), "no primary set");
        assertTrue(WindowAnalysis.transferring(RunLanguages.UNKNOWN, Map.of("python", new int[] {2})).isEmpty());
    }

    @Test
    void overlapWithThePreviousWindowPerLayerAndModelWide() {
        Map<String, Double> layer = WindowAnalysis.layerJaccard(Map.of("go", new int[] {1, 2}, "rust", new int[] {7}),
                Map.of("go", new int[] {2, 3}));
        assertEquals(Map.of("go", 1.0 / 3), layer);
        assertTrue(WindowAnalysis.layerJaccard(Map.of("go", new int[] {1}), null).isEmpty());

        Map<Integer, Map<String, int[]>> now = Map.of(0, Map.of("go", new int[] {1, 2}), 1, Map.of("go", new int[] {3}));
        Map<Integer, Map<String, int[]>> before = Map.of(0, Map.of("go", new int[] {2}), 2, Map.of("go", new int[] {9}));
        assertEquals(Map.of("go", 1.0 / 4), WindowAnalysis.modelJaccard(now, before));
        assertTrue(WindowAnalysis.modelJaccard(now, Map.of()).isEmpty(), "the first window has nothing to compare");
    }

    @Test
    void noLanguageWithTokensMeansNothingToSelect() {
        LayerCounts empty = new LayerCounts(2);
        empty.add(List.of("python"), new long[] {0}, new float[] {0, 0});
        assertTrue(new WindowAnalysis(LapeParameters.DEFAULTS).analyse(
                new WindowAnalysis.Window("run-1", 0, 10, true, List.of()), new TreeMap<>(Map.of(0, empty)), null,
                Map.of(), true, 0).isEmpty());
        assertArrayEquals(new int[] {2, 3}, NeuronSets.intersection(new int[] {1, 2, 3}, new int[] {2, 3, 4}));
    }
}
