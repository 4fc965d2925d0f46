package io.babelflow.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.events.Stage;
import io.babelflow.streams.reweighting.MixtureController;
import io.babelflow.streams.reweighting.MixtureDecision;
import io.babelflow.streams.reweighting.PolicyFactory;
import io.babelflow.streams.reweighting.RunLanguage;
import io.babelflow.streams.reweighting.StageChangeSignal;
import io.babelflow.streams.reweighting.StepSignal;
import io.babelflow.streams.reweighting.policy.LossCurveStageDetector;
import io.babelflow.trainer.config.RunConfig;
import io.babelflow.schemas.mixture.MixtureSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each shipped config's feedback policy, driven exactly as the config drives it: the trainer's own
 * schedule (initial weights, then its phases while no feedback version is in force) reported in every
 * step, the policy's updates applied from the next step on, and per-language losses that have the
 * Babel Tower shape after a language joins (fall, a rise while its own system forms, fall again).
 * The policy must change the mixture when its trigger happens.
 */
class ShippedConfigPoliciesTest {
    private static final Path CONFIGS = Path.of("..", "trainer", "configs");

    /** What the simulated run saw: the updates applied and the stage changes derived. */
    record Drive(List<MixtureDecision> updates, List<StageChangeSignal> stages, Map<Long, Map<String, Double>> inForce) {
    }

    /** Loss of a language {@code t} steps after it joined: 3 → 1.3 with a 0.4 bump centred at t = 600. */
    static double loss(long t) {
        return 1.3 + 1.7 * Math.exp(-t / 150.0) + 0.4 * Math.exp(-Math.pow((t - 600) / 150.0, 2));
    }

    static Drive drive(String file) {
        RunConfig config = RunConfig.load(CONFIGS.resolve(file)).validate(file);
        List<RunLanguage> languages = config.languages().stream()
                .map(l -> new RunLanguage(l.id(), l.role(), l.weight())).toList();
        MixtureController controller = PolicyFactory.controller(config.feedback().policy(), config.feedback().params(),
                languages);
        Optional<LossCurveStageDetector> detector = PolicyFactory.lossCurveStageDetector(config.feedback().policy(),
                config.feedback().params(), languages);
        MixtureSchedule schedule = config.mixtureSchedule();
        Map<String, Long> joined = new LinkedHashMap<>();
        List<MixtureDecision> updates = new ArrayList<>();
        List<StageChangeSignal> stages = new ArrayList<>();
        Map<Long, Map<String, Double>> inForce = new LinkedHashMap<>();
        MixtureDecision next = null;
        long version = 0;
        Map<String, Double> applied = null;
        for (long step = 0; step < config.run().steps(); step++) {
            if (next != null) { // the trainer applies an update from the next step on
                version = next.version();
                applied = next.weights();
                next = null;
            }
            Map<String, Double> weights = version == 0 ? schedule.at(step) : applied;
            inForce.put(step, weights);
            Map<String, Double> losses = new LinkedHashMap<>();
            Map<String, Long> tokens = new LinkedHashMap<>();
            for (RunLanguage l : languages) {
                if (weights.getOrDefault(l.id(), 0.0) > 0) {
                    long since = joined.computeIfAbsent(l.id(), k -> 0L);
                    long start = since == 0 && l.role() != LanguageRole.PRIMARY ? step : since;
                    joined.put(l.id(), start);
                    losses.put(l.id(), l.role() == LanguageRole.PRIMARY ? 1.5 : loss(step - start));
                    tokens.put(l.id(), 100L);
                }
            }
            List<MixtureDecision> out = new ArrayList<>();
            controller.onStep(new StepSignal(step, 1000, losses, tokens, version, weights), 0).ifPresent(out::add);
            final long s = step;
            detector.ifPresent(d -> d.observe(s, losses).forEach(change -> {
                stages.add(change);
                controller.onStage(change, 0).ifPresent(out::add);
            }));
            if (!out.isEmpty()) {
                next = out.get(out.size() - 1);
                updates.addAll(out);
            }
        }
        return new Drive(updates, stages, inForce);
    }

    @Test
    void babelTowerCutsANewLanguageThatJoinedByPhaseWhenItEntersTransition() {
        Drive d = drive("babel-tower.yaml");
        assertEquals(0.25, d.inForce().get(2000L).get("go"), 1e-12, "go joins by the trainer's phase at step 2000");
        StageChangeSignal transition = d.stages().stream().filter(s -> s.to() == Stage.TRANSITION && s.language().equals("go"))
                .findFirst().orElseThrow(() -> new AssertionError("go never entered TRANSITION: " + d.stages()));
        assertTrue(transition.step() > 2000, "after joining: " + transition);
        MixtureDecision cut = d.updates().stream().filter(u -> u.basedOnStep() >= transition.step()).findFirst()
                .orElseThrow(() -> new AssertionError("no update after go's TRANSITION; updates " + d.updates()));
        assertTrue(cut.weights().get("go") < 0.25 - 0.01, "go cut from its 0.25: " + cut);
        assertTrue(cut.weights().get("python") >= 0.2 - 1e-9, "python keeps its floor: " + cut);
        // the cut reaches the trainer: go's weight in force falls below its phase share
        assertTrue(d.inForce().get(5999L).get("go") < 0.25 - 0.01, d.inForce().get(5999L).toString());
    }

    @Test
    void chatflowMovesTheMixtureTowardsEachPhaseOfItsSchedule() {
        Drive d = drive("chatflow.yaml");
        assertFalse(d.updates().isEmpty());
        // phases 0:(0.6, 0.2, 0.1, 0.1) → 2000:(0.4, 0.3, 0.2, 0.1) → 4000:(0.3, 0.3, 0.1, 0.3), cosine, every 50
        assertEquals(0.6, d.inForce().get(0L).get("en"), 1e-9);
        assertEquals(0.4, d.inForce().get(2001L).get("en"), 0.02);
        assertEquals(0.3, d.inForce().get(4001L).get("instruct"), 0.02);
        assertTrue(d.inForce().get(1000L).get("en") < 0.55, "halfway towards the 2000 phase: " + d.inForce().get(1000L));
    }
}
