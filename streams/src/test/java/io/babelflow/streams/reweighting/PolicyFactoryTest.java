package io.babelflow.streams.reweighting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyFactoryTest {
    private static final List<RunLanguage> RUN = List.of(
            new RunLanguage("en", LanguageRole.PRIMARY, 0.8),
            new RunLanguage("zh", LanguageRole.NEW, 0.2));

    private static String failure(String policy, Map<String, String> params) {
        return assertThrows(InvalidInputException.class, () -> PolicyFactory.controller(policy, params, RUN))
                .getMessage();
    }

    @Test
    void everyRegisteredPolicyBuildsWithMinimalParameters() {
        Map<String, Map<String, String>> minimal = Map.of(
                "static", Map.of(), "schedule", Map.of("phases", "0:en=1"), "exp3", Map.of(),
                "excess-loss", Map.of("reference", "en=2,zh=3"), "babel-tower", Map.of());
        for (String name : Policies.names()) {
            assertEquals(name, PolicyFactory.controller(name, minimal.get(name), RUN).policyName());
            assertEquals(name, PolicyFactory.policy(name, minimal.get(name), RUN).name());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "doremi      | unknown reweighting policy 'doremi'; choose one of static, schedule, exp3, excess-loss, babel-tower",
        "'  '        | no reweighting policy given"})
    void unknownOrMissingNames(String name, String message) {
        assertTrue(failure(name, Map.of()).contains(message), failure(name, Map.of()));
    }

    @Test
    void misspeltParameterIsNamedWithTheKnownOnes() {
        String m = failure("exp3", Map.of("rewardscale", "0.1"));
        assertTrue(m.startsWith("policy exp3: unknown parameter rewardscale; known: ceiling, every, floor"), m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exp3        | rewardScale  | abc                 | rewardScale=abc is not a number",
        "exp3        | every        | 0                   | every=0 must be >= 1",
        "exp3        | maxChange    | 1.5                 | maxChange=1.5 must be in [0.0, 1.0]",
        "exp3        | maxChange    | 0                   | maxChange=0 must be > 0",
        "exp3        | floor        | 0.6                 | floors sum to 1.2 > 1",
        "exp3        | floor        | fr=0.1              | floor: language 'fr' is not in the run (en, zh)",
        "static      | weights      | en=0,zh=0           | weights are all zero",
        "schedule    | phases       | 0:en=1;0:zh=1       | positions must strictly increase",
        "schedule    | phases       | 0:en=1;5x:zh=1      | position 5x is not a number",
        "schedule    | phases       | 0:de=1              | language 'de' is not in the run",
        "schedule    | curve        | step                | curve=step is not one of linear, cosine",
        "excess-loss | reference    | en=2                | reference has no train loss for zh",
        "babel-tower | reduction    | 2                   | reduction=2 must be in [0.0, 1.0]"})
    void badValuesAreNamed(String policy, String key, String value, String message) {
        Map<String, String> params = new java.util.HashMap<>(Map.of(key, value));
        if (policy.equals("schedule") && !key.equals("phases")) {
            params.put("phases", "0:en=1");
        }
        String m = failure(policy, params);
        assertTrue(m.startsWith("policy " + policy + ": ") || m.startsWith("guardrails: "), m);
        assertTrue(m.contains(message), m);
    }

    @Test
    void policySpecificRequirements() {
        assertTrue(failure("schedule", Map.of()).contains("parameter phases is required"));
        assertTrue(failure("excess-loss", Map.of()).contains("exactly one of reference"));
        assertTrue(failure("excess-loss", Map.of("referenceRun", "/nonexistent/run.avro"))
                .contains("reference run /nonexistent/run.avro does not exist"));
        List<RunLanguage> noPrimary = List.of(new RunLanguage("go", LanguageRole.NEW, 1));
        String m = assertThrows(InvalidInputException.class,
                () -> PolicyFactory.controller("babel-tower", Map.of("primaryFloor", "0.2"), noPrimary)).getMessage();
        assertTrue(m.contains("primaryFloor is set but the run has no PRIMARY language"), m);
    }

    @Test
    void runLanguagesAreChecked() {
        assertThrows(InvalidInputException.class, () -> PolicyFactory.controller("static", Map.of(), List.of()));
        List<RunLanguage> twice = List.of(new RunLanguage("en", LanguageRole.PRIMARY, 1),
                new RunLanguage("en", LanguageRole.NEW, 1));
        assertTrue(assertThrows(InvalidInputException.class, () -> PolicyFactory.controller("static", Map.of(), twice))
                .getMessage().contains("language en appears twice"));
        assertThrows(InvalidInputException.class, () -> new RunLanguage("en", LanguageRole.PRIMARY, Double.NaN));
    }

    @Test
    void babelTowerPrimaryFloorBecomesTheGuardrailFloor() {
        List<RunLanguage> run = List.of(new RunLanguage("en", LanguageRole.PRIMARY, 0.1),
                new RunLanguage("zh", LanguageRole.NEW, 0.9));
        MixtureController c = PolicyFactory.controller("babel-tower", Map.of("primaryFloor", "0.3"), run);
        MixtureDecision d = c.onStep(new StepSignal(0, 1, Map.of(), Map.of(), 0, Map.of()), 0).orElseThrow();
        assertEquals(0.3, d.weights().get("en"), 1e-12);
    }
}
