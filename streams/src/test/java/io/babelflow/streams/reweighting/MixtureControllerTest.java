package io.babelflow.streams.reweighting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MixtureControllerTest {
    private static final List<RunLanguage> RUN = List.of(
            new RunLanguage("python", LanguageRole.PRIMARY, 0.5),
            new RunLanguage("go", LanguageRole.NEW, 0.3),
            new RunLanguage("php", LanguageRole.NEW, 0.2));

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of("static", Map.of("weights", "python=0.4,go=0.4,php=0.2", "maxChange", "0.0005")),
                Arguments.of("schedule", Map.of("phases", "0:python=0.5,go=0.3,php=0.2;150k:python=0.2,go=0.4,php=0.4",
                        "curve", "cosine", "every", "7", "by", "tokens")),
                Arguments.of("exp3", Map.of("every", "3", "maxChange", "0.05", "minSteps", "2")),
                Arguments.of("excess-loss", Map.of("reference", "python=1.5,go=2.0,php=2.2", "output", "average",
                        "minSeconds", "2")),
                Arguments.of("babel-tower", Map.of("maxChange", "0.03", "primaryFloor", "0.45", "ema", "0.5")));
    }

    /** A deterministic mixed stream: steps with noisy losses, evals every 25 steps, stage changes. */
    private static List<Object> signals() {
        Random random = new Random(7);
        List<Object> out = new ArrayList<>();
        for (long step = 0; step < 200; step++) {
            Map<String, Double> loss = new LinkedHashMap<>();
            loss.put("python", 1.5 + random.nextDouble());
            loss.put("go", 3.0 - step / 100.0 + random.nextDouble());
            if (random.nextBoolean()) {
                loss.put("php", 2.5 + random.nextDouble());
            }
            out.add(new StepSignal(step, 1000 + random.nextInt(100), loss, Map.of(), 0,
                    Map.of("python", 0.5, "go", 0.3, "php", 0.2)));
            if (step % 25 == 24) {
                out.add(new EvalSignal(step, loss));
            }
            if (step == 60) {
                out.add(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, step, Map.of("ratio", 0.4)));
            }
            if (step == 130) {
                out.add(new StageChangeSignal("php", null, Stage.TRANSITION, step, Map.of()));
            }
        }
        return out;
    }

    private static Optional<MixtureDecision> feed(MixtureController c, Object signal, int index) {
        long now = 1_000L * index;
        if (signal instanceof StepSignal s) {
            return c.onStep(s, now);
        }
        if (signal instanceof EvalSignal e) {
            return c.onEval(e, now);
        }
        return c.onStage((StageChangeSignal) signal, now);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void snapshotRestoreGivesIdenticalSubsequentDecisions(String policy, Map<String, String> params) {
        List<Object> signals = signals();
        MixtureController original = PolicyFactory.controller(policy, params, RUN);
        List<MixtureDecision> all = new ArrayList<>();
        int cut = 97;
        byte[] snapshot = null;
        long versionAtCut = 0;
        for (int i = 0; i < signals.size(); i++) {
            if (i == cut) {
                snapshot = original.snapshot();
                versionAtCut = original.version();
            }
            feed(original, signals.get(i), i).ifPresent(all::add);
        }
        assertFalse(all.isEmpty(), "the stream must make " + policy + " decide");

        MixtureController restored = PolicyFactory.controller(policy, params, RUN);
        restored.restore(snapshot);
        List<MixtureDecision> after = new ArrayList<>();
        for (int i = cut; i < signals.size(); i++) {
            feed(restored, signals.get(i), i).ifPresent(after::add);
        }
        long cutVersion = versionAtCut;
        List<MixtureDecision> expected = all.stream().filter(d -> d.version() > cutVersion).toList();
        assertFalse(expected.isEmpty(), policy + " must decide after the snapshot too");
        assertEquals(expected, after);
        assertEquals(original.counters(), restored.counters());
        assertEquals(new String(original.snapshot(), java.nio.charset.StandardCharsets.UTF_8),
                new String(restored.snapshot(), java.nio.charset.StandardCharsets.UTF_8));

        long previous = 0;
        for (MixtureDecision d : all) {
            assertEquals(previous + 1, d.version(), "versions increase by one");
            previous = d.version();
            assertEquals(1.0, Weights.sum(d.weights()), 1e-12);
        }
    }

    @Test
    void trainersVersionLiftsTheCounterSoVersionsAreNeverReused() {
        MixtureController c = PolicyFactory.controller("exp3", Map.of(), RUN);
        MixtureDecision d = c.onStep(new StepSignal(0, 10, Map.of("go", 2.0), Map.of(), 41,
                Map.of("python", 0.5, "go", 0.3, "php", 0.2)), 0).orElseThrow();
        assertEquals(42, d.version());
        assertEquals("exp3", d.policy());
    }

    @Test
    void aDeferredStageDecisionIsSentOnceTheIntervalHasPassed() {
        MixtureController c = PolicyFactory.controller("babel-tower",
                Map.of("minSteps", "10", "primaryFloor", "0"), RUN);
        StepSignal step0 = new StepSignal(0, 10, Map.of(), Map.of(), 0, Map.of());
        assertTrue(c.onStep(step0, 0).isEmpty()); // base mixture already in force: nothing to send
        c.onStep(new StepSignal(1, 10, Map.of(), Map.of(), 0, Map.of()), 0);
        assertTrue(c.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 1, Map.of()), 0).isPresent());
        // a second change at step 5 is within 10 steps of the update at step 1: held back, not lost
        assertTrue(c.onStage(new StageChangeSignal("php", Stage.TRANSLATION, Stage.TRANSITION, 5, Map.of()), 0).isEmpty());
        assertEquals(1, c.counters().deferredTargets());
        assertTrue(c.pending().isPresent());
        for (long s = 6; s < 11; s++) {
            assertTrue(c.onStep(new StepSignal(s, 10, Map.of(), Map.of(), 1, Map.of()), 0).isEmpty());
        }
        MixtureDecision d = c.onStep(new StepSignal(11, 10, Map.of(), Map.of(), 1, Map.of()), 0).orElseThrow();
        assertEquals(2, d.version());
        // php is cut from the 0.35 the go cut gave it (not yet in force at step 5): 0.175 freed → python
        assertEquals(0.675, d.weights().get("python"), 1e-12);
        assertEquals(0.15, d.weights().get("go"), 1e-12);
        assertEquals(5, d.basedOnStep());
        assertTrue(c.pending().isEmpty());
    }

    @Test
    void aTargetHeldBackByMinSecondsGoesOutOnTheClockWithoutANewSignal() {
        MixtureController c = PolicyFactory.controller("schedule",
                Map.of("phases", "0:python=1;10:go=1", "every", "1", "minSeconds", "5"), RUN);
        assertEquals(1, c.onStep(new StepSignal(0, 10, Map.of(), Map.of(), 0, Map.of()), 0).orElseThrow().version());
        assertTrue(c.onStep(new StepSignal(5, 10, Map.of(), Map.of(), 1, Map.of()), 1_000).isEmpty());
        assertEquals(1, c.counters().deferredTargets());
        assertTrue(c.onTime(4_999).isEmpty(), "5 s have not passed since the update at 0");
        MixtureDecision d = c.onTime(5_000).orElseThrow();
        assertEquals(2, d.version());
        assertEquals(0.5, d.weights().get("python"), 1e-12);
        assertEquals(0.5, d.weights().get("go"), 1e-12);
        assertEquals(5, d.basedOnStep());
        assertEquals(5_000, d.createdAtMillis());
        assertTrue(c.pending().isEmpty());
        assertTrue(c.onTime(60_000).isEmpty(), "nothing pending");
    }

    @Test
    void continueAfterRaisesTheNextVersionButNeverLowersIt() {
        MixtureController c = PolicyFactory.controller("static", Map.of("weights", "python=1"), RUN);
        c.continueAfter(7);
        c.continueAfter(3);
        assertEquals(8, c.onStep(new StepSignal(0, 10, Map.of(), Map.of(), 0, Map.of()), 0).orElseThrow().version());
    }

    @Test
    void maxChangeWalksToTheTargetOverSeveralUpdates() {
        MixtureController c = PolicyFactory.controller("static",
                Map.of("weights", "python=0.8,go=0.1,php=0.1", "maxChange", "0.1"), RUN);
        List<MixtureDecision> sent = new ArrayList<>();
        for (long s = 0; s < 10; s++) {
            c.onStep(new StepSignal(s, 10, Map.of(), Map.of(), 0, Map.of()), s).ifPresent(sent::add);
        }
        assertEquals(3, sent.size());
        assertEquals(0.8, sent.get(2).weights().get("python"), 1e-12);
        assertTrue(sent.get(0).reason().contains("target pending"), sent.get(0).reason());
        assertEquals(3, c.counters().limitedUpdates() + 1); // the last update reaches the target unclamped
    }

    @Test
    void restoringAnotherPolicysSnapshotIsRefused() {
        MixtureController exp3 = PolicyFactory.controller("exp3", Map.of(), RUN);
        MixtureController schedule = PolicyFactory.controller("schedule", Map.of("phases", "0:go=1"), RUN);
        assertThrows(IllegalArgumentException.class, () -> schedule.restore(exp3.snapshot()));
        assertThrows(IllegalArgumentException.class, () -> exp3.restore("{not json".getBytes()));
    }

    @Test
    void theInitialStaticMixtureSendsNothing() {
        MixtureController c = PolicyFactory.controller("static", Map.of(), RUN);
        assertTrue(c.onStep(new StepSignal(0, 10, Map.of(), Map.of(), 0, Map.of()), 0).isEmpty());
        assertEquals(0, c.version());
    }
}
