package io.babelflow.streams.reweighting.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.Stage;
import io.babelflow.streams.reweighting.Decision;
import io.babelflow.streams.reweighting.EvalSignal;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.streams.reweighting.StageChangeSignal;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.Weights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BabelTowerPolicyTest {
    private static final double EPS = 1e-12;

    private static BabelTowerPolicy policy(List<RunLanguage> run, double primaryFloor) {
        // smoothing 0: P is computed on the raw losses, so the hand computation is exact
        return new BabelTowerPolicy(run, Weights.initial(run), 0.5, primaryFloor, LossSource.TRAIN, 0.0);
    }

    private static final List<RunLanguage> PY_GO_PHP = List.of(
            new RunLanguage("python", LanguageRole.PRIMARY, 0.5),
            new RunLanguage("go", LanguageRole.NEW, 0.3),
            new RunLanguage("php", LanguageRole.NEW, 0.2));

    @Test
    void transitionCutsTheLanguageByReductionTimesPAndGivesTheShareToTranslationLanguages() {
        BabelTowerPolicy p = policy(PY_GO_PHP, 0.1);
        long step = 0;
        for (double loss : new double[] {4.0, 3.0, 2.0, 2.2}) {
            p.onStep(new StepSignal(step++, 100, Map.of("go", loss), Map.of(), 0, Map.of()));
        }
        // α = 4.0, β = 2.0, ℓ = 2.2 → P = 1.8 / 2.0 = 0.9; go = 0.3·(1 − 0.5·0.9) = 0.165; php += 0.135
        Decision d = p.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 3, Map.of())).orElseThrow();
        assertEquals(0.5, d.weights().get("python"), EPS);
        assertEquals(0.165, d.weights().get("go"), EPS);
        assertEquals(0.335, d.weights().get("php"), EPS);
        assertEquals(3, d.basedOnStep());
        assertTrue(d.reason().contains("P(go)=0.90"), d.reason());
        assertTrue(d.reason().contains("go 0.300→0.165") && d.reason().contains("php 0.200→0.335"), d.reason());
    }

    @Test
    void withNoTranslationLanguageLeftTheFreedShareGoesToThePrimary() {
        BabelTowerPolicy p = policy(PY_GO_PHP, 0.1);
        p.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 10, Map.of()));
        // no losses seen: P taken as 1 → go 0.15, php 0.35; the trainer applies it; then php is cut from
        // the 0.35 in force to 0.175, and with no language left in TRANSLATION the freed 0.175 → python
        p.onStep(new StepSignal(11, 100, Map.of(), Map.of(), 1, Map.of("python", 0.5, "go", 0.15, "php", 0.35)));
        Decision d = p.onStage(new StageChangeSignal("php", Stage.TRANSLATION, Stage.TRANSITION, 20, Map.of())).orElseThrow();
        assertEquals(0.675, d.weights().get("python"), EPS);
        assertEquals(0.15, d.weights().get("go"), EPS);
        assertEquals(0.175, d.weights().get("php"), EPS);
    }

    @Test
    void stabilizationKeepsTheCutAndReturningToTranslationRestoresIt() {
        BabelTowerPolicy p = policy(PY_GO_PHP, 0.1);
        p.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 10, Map.of()));
        p.onStep(new StepSignal(11, 100, Map.of(), Map.of(), 1, Map.of("python", 0.5, "go", 0.15, "php", 0.35)));
        Decision stable = p.onStage(new StageChangeSignal("go", Stage.TRANSITION, Stage.STABILIZATION, 20, Map.of()))
                .orElseThrow();
        assertEquals(0.15, stable.weights().get("go"), EPS);
        // the cut share 0.15 comes back from python and php in proportion to their 0.5 and 0.35
        Decision back = p.onStage(new StageChangeSignal("go", Stage.STABILIZATION, Stage.TRANSLATION, 30, Map.of()))
                .orElseThrow();
        assertEquals(0.3, back.weights().get("go"), EPS);
        assertEquals(0.5 - 0.15 * 0.5 / 0.85, back.weights().get("python"), EPS);
        assertEquals(0.35 - 0.15 * 0.35 / 0.85, back.weights().get("php"), EPS);
    }

    @Test
    void aLanguageThatJoinedAtWeightZeroIsCutFromTheShareInForceWithPFromItsIntroduction() {
        // babel-tower.yaml: go and cpp start at 0 and join by the trainer's phase at step 2000
        List<RunLanguage> run = List.of(new RunLanguage("python", LanguageRole.PRIMARY, 1.0),
                new RunLanguage("go", LanguageRole.NEW, 0.0), new RunLanguage("cpp", LanguageRole.NEW, 0.0));
        BabelTowerPolicy p = new BabelTowerPolicy(run, Weights.initial(run), 0.5, 0.2, LossSource.HELDOUT, 0.0);
        Map<String, Double> before = Map.of("python", 1.0, "go", 0.0, "cpp", 0.0);
        Map<String, Double> after = Map.of("python", 0.5, "go", 0.25, "cpp", 0.25);
        p.onStep(new StepSignal(0, 100, Map.of(), Map.of(), 0, before));
        p.onEval(new EvalSignal(0, Map.of("go", 5.5, "cpp", 5.5))); // before go joined: ignored
        p.onStep(new StepSignal(2000, 100, Map.of(), Map.of(), 0, after));
        for (double loss : new double[] {3.0, 1.0, 1.5}) {
            p.onEval(new EvalSignal(2000, Map.of("go", loss)));
        }
        // α = 3 (at introduction, not 5.5), β = 1, ℓ = 1.5 → P = 0.75; go 0.25·(1 − 0.5·0.75) = 0.15625; cpp += 0.09375
        Decision d = p.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 2300, Map.of())).orElseThrow();
        assertEquals(0.15625, d.weights().get("go"), EPS);
        assertEquals(0.34375, d.weights().get("cpp"), EPS);
        assertEquals(0.5, d.weights().get("python"), EPS);
        assertTrue(d.reason().contains("since step 2000"), d.reason());
    }

    @Test
    void primaryNeverFallsBelowItsFloor() {
        List<RunLanguage> run = List.of(new RunLanguage("python", LanguageRole.PRIMARY, 0.05),
                new RunLanguage("go", LanguageRole.NEW, 0.6), new RunLanguage("php", LanguageRole.NEW, 0.35));
        BabelTowerPolicy p = policy(run, 0.2);
        // first step: python raised to 0.2, the others scaled by 0.8/0.95
        Decision first = p.onStep(new StepSignal(0, 100, Map.of(), Map.of(), 0, Map.of())).orElseThrow();
        assertEquals(0.2, first.weights().get("python"), EPS);
        assertEquals(0.6 * 0.8 / 0.95, first.weights().get("go"), EPS);
        assertEquals(0.35 * 0.8 / 0.95, first.weights().get("php"), EPS);
        // the trainer runs the floored mixture; go cut to half its 0.505, php gets the rest: python stays 0.2
        p.onStep(new StepSignal(1, 100, Map.of(), Map.of(), 1, first.weights()));
        Decision d = p.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 5, Map.of())).orElseThrow();
        assertEquals(0.2, d.weights().get("python"), EPS);
        assertEquals(0.3 * 0.8 / 0.95, d.weights().get("go"), EPS);
        assertEquals(0.65 * 0.8 / 0.95, d.weights().get("php"), EPS);
        // without the step in between the policy cuts from the initial weights, and the floor lifts python
        BabelTowerPolicy q = policy(run, 0.2);
        Decision unfloored = q.onStage(new StageChangeSignal("go", Stage.TRANSLATION, Stage.TRANSITION, 5, Map.of())).orElseThrow();
        assertEquals(0.2, unfloored.weights().get("python"), EPS);
    }

    @Test
    void ignoresStagesOfNonNewLanguagesAndRepeatedStages() {
        BabelTowerPolicy p = policy(PY_GO_PHP, 0.1);
        assertFalse(p.onStage(new StageChangeSignal("python", null, Stage.TRANSITION, 1, Map.of())).isPresent());
        assertFalse(p.onStage(new StageChangeSignal("go", null, Stage.TRANSLATION, 1, Map.of())).isPresent());
        assertTrue(p.onStage(new StageChangeSignal("go", null, Stage.TRANSITION, 2, Map.of())).isPresent());
        assertFalse(p.onStage(new StageChangeSignal("go", Stage.TRANSITION, Stage.TRANSITION, 3, Map.of())).isPresent());
        assertEquals(Stage.TRANSITION, p.stage("go"));
    }
}
