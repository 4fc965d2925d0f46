package io.babelflow.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.trainer.config.RunConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MixtureSamplerTest {
    static final List<String> LANGUAGES = List.of("python", "go", "cpp");

    static MixtureSampler sampler(Map<String, Double> initial, List<RunConfig.Phase> phases) {
        return new MixtureSampler(LANGUAGES, RunConfig.schedule(LANGUAGES, initial, phases), 42);
    }

    @Test
    void drawsMatchTheWeights() {
        MixtureSampler sampler = sampler(Map.of("python", 5.0, "go", 3.0, "cpp", 2.0), List.of());
        Mixture mixture = sampler.beginStep(0);
        int n = 20_000;
        long[] counts = new long[3];
        for (int i = 0; i < n; i++) {
            counts[sampler.sampleLanguage(mixture)]++;
        }
        double chiSquare = 0;
        double[] expected = {0.5 * n, 0.3 * n, 0.2 * n};
        for (int i = 0; i < 3; i++) {
            chiSquare += Math.pow(counts[i] - expected[i], 2) / expected[i];
        }
        // 2 degrees of freedom: P(chi2 > 13.82) = 0.001
        assertTrue(chiSquare < 13.82, "chi-square " + chiSquare + " for counts " + java.util.Arrays.toString(counts));
    }

    @Test
    void aLanguageWithWeightZeroIsNeverDrawn() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0, "go", 0.0, "cpp", 1.0), List.of());
        Mixture mixture = sampler.beginStep(0);
        for (int i = 0; i < 5_000; i++) {
            assertTrue(sampler.sampleLanguage(mixture) != 1);
        }
    }

    @Test
    void invalidUpdatesAreRejectedWithAReasonAndChangeNothing() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0), List.of());
        Map<String, Double> nan = new HashMap<>(Map.of("python", 1.0));
        nan.put("go", Double.NaN);
        assertRejected(sampler.update(1, Map.of("python", -1.0, "go", 2.0)), "negative");
        assertRejected(sampler.update(1, nan), "finite");
        assertRejected(sampler.update(1, Map.of("python", Double.POSITIVE_INFINITY)), "finite");
        assertRejected(sampler.update(1, Map.of("python", 0.0, "go", 0.0)), "sum to 0");
        assertRejected(sampler.update(1, Map.of("rust", 1.0)), "rust");
        assertRejected(sampler.update(1, Map.of()), "no weights");
        assertRejected(sampler.update(0, Map.of("go", 1.0)), "not greater");
        assertEquals(7, sampler.rejectedUpdates());

        assertTrue(sampler.update(3, Map.of("go", 1.0)).accepted());
        assertRejected(sampler.update(2, Map.of("cpp", 1.0)), "not greater than version 3");
        assertEquals(8, sampler.rejectedUpdates());
        assertEquals(3, sampler.beginStep(0).version());
    }

    @Test
    void anUpdateTakesEffectAtTheNextStepBoundary() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0), List.of());
        Mixture step0 = sampler.beginStep(0);
        assertTrue(sampler.update(1, Map.of("python", 1.0, "go", 3.0)).accepted());
        assertEquals(0, sampler.current().version(), "the running step keeps its weights");
        assertEquals(1.0, step0.weight(0));
        Mixture step1 = sampler.beginStep(1);
        assertEquals(1, step1.version());
        assertEquals(0.25, step1.weight(0), 1e-12);
        assertEquals(0.75, step1.weight(1), 1e-12);
        assertEquals(0.0, step1.weight(2));
    }

    @Test
    void version0FollowsTheConfigPhasesUntilFeedbackTakesOver() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0),
                List.of(new RunConfig.Phase(10, Map.of("python", 1.0, "go", 1.0)),
                        new RunConfig.Phase(20, Map.of("python", 1.0, "go", 1.0, "cpp", 2.0))));
        assertEquals(Map.of("python", 1.0, "go", 0.0, "cpp", 0.0), sampler.beginStep(9).asMap());
        assertEquals(0.5, sampler.beginStep(10).weight(1), 1e-12);
        assertEquals(0.5, sampler.beginStep(25).weight(2), 1e-12);
        sampler.update(1, Map.of("python", 1.0));
        sampler.beginStep(26);
        assertEquals(1.0, sampler.beginStep(100).weight(0), "phases no longer apply once a feedback version is in force");
    }

    @Test
    void restoredStateRepeatsTheSameDraws() {
        MixtureSampler a = sampler(Map.of("python", 1.0, "go", 1.0, "cpp", 1.0), List.of());
        a.update(4, Map.of("python", 2.0, "go", 1.0));
        Mixture m = a.beginStep(0);
        for (int i = 0; i < 17; i++) {
            a.sampleLanguage(m);
        }
        MixtureSampler.State saved = a.state();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add((long) a.sampleLanguage(a.beginStep(1)));
            expected.add(a.random().nextLong(1000));
        }
        MixtureSampler b = sampler(Map.of("cpp", 1.0), List.of());
        b.restore(saved);
        List<Long> actual = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            actual.add((long) b.sampleLanguage(b.beginStep(1)));
            actual.add(b.random().nextLong(1000));
        }
        assertEquals(expected, actual);
        assertEquals(4, b.current().version());
    }

    @Test
    void concurrentUpdatesKeepTheGreatestVersion() throws Exception {
        MixtureSampler sampler = sampler(Map.of("python", 1.0), List.of());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> accepted = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            accepted.add(pool.submit(() -> {
                int n = 0;
                for (int v = 1 + offset; v <= 2000; v += 4) {
                    if (sampler.update(v, Map.of("go", (double) v)).accepted()) {
                        n++;
                    }
                    if (v % 100 == 0) {
                        sampler.beginStep(v);
                    }
                }
                return n;
            }));
        }
        int total = 0;
        for (Future<Integer> f : accepted) {
            total += f.get();
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(2000, total + sampler.rejectedUpdates());
        assertEquals(2000, sampler.beginStep(3000).version());
    }

    private static void assertRejected(MixtureSampler.UpdateResult result, String reasonPart) {
        assertFalse(result.accepted());
        assertTrue(result.reason().contains(reasonPart), "'" + result.reason() + "' should mention " + reasonPart);
    }

    /** Issue #10 item 3: each weight is finite but their sum overflows; the old sampler died with index -1. */
    @Test
    void weightsWhoseSumOverflowsAreDrawnFromAsEqualShares() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0), List.of());
        assertTrue(sampler.update(1, Map.of("python", 1e308, "go", 1e308, "cpp", 1e308)).accepted());
        Mixture mixture = sampler.beginStep(1);
        assertEquals(Map.of("python", 1 / 3.0, "go", 1 / 3.0, "cpp", 1 / 3.0), mixture.asMap());
        long[] counts = new long[3];
        for (int i = 0; i < 3_000; i++) {
            counts[sampler.sampleLanguage(mixture)]++;
        }
        for (long c : counts) {
            assertTrue(c > 800, java.util.Arrays.toString(counts));
        }
    }

    /** Issue #10 item 4: version Long.MAX_VALUE used to be accepted, and then nothing was ever newer. */
    @Test
    void anAbsurdVersionIsRejectedAndLaterUpdatesStillApply() {
        MixtureSampler sampler = sampler(Map.of("python", 1.0), List.of());
        assertRejected(sampler.update(Long.MAX_VALUE, Map.of("go", 1.0)), "jumps more than");
        assertTrue(sampler.update(1, Map.of("cpp", 1.0)).accepted());
        assertEquals(Map.of("python", 0.0, "go", 0.0, "cpp", 1.0), sampler.beginStep(1).asMap());
    }
}
