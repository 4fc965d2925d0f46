package io.babelflow.trainer.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.babelflow.events.LanguageRole;
import io.babelflow.schemas.InvalidInputException;
import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.schemas.mixture.MixtureWeights;
import io.babelflow.trainer.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A training run's configuration: one YAML file, every hyperparameter spelled out (a missing key
 * is an error, not a silent default; write {@code null} where a section is optional). The
 * trainer writes the resolved config (overrides applied) to {@code RUN_DIR/config.yaml} and into
 * RunStarted. See {@code trainer/configs/*.yaml} for complete examples.
 *
 * <pre>
 * run:        {name, steps, seed}
 * model:      {layers, dModel, heads, ffnWidth, contextLength, activation: GELU|RELU}
 * training:   {batchSize, learningRate, minLearningRate, warmupSteps, decaySteps, weightDecay,
 *              beta1, beta2, epsilon, gradClipNorm}
 * languages:  [{id, role: PRIMARY|NEW|PARALLEL|INSTRUCTION, weight}]   weight = mixture weight at step 0
 * mixture:    {phases: [{fromStep, weights: {id: weight}}]}             scheduled changes of the weights
 * probes:     {statsEvery, evalEvery, evalBatchSize, maxProbeWindows, promptDir}
 * checkpoint: {every, keep}
 * logging:    {every}
 * feedback:   {policy, params: {key: value}} or null                    copied into RunStarted
 * </pre>
 */
public record RunConfig(Run run, ModelConfig model, Training training, List<Language> languages, Mixture mixture,
        Probes probes, Checkpoints checkpoint, Logging logging, Feedback feedback) {

    /** Run identity and length. {@code name} prefixes the generated runId. */
    public record Run(String name, long steps, long seed) {
    }

    /** Batch, AdamW and learning-rate schedule (linear warm-up, cosine decay to minLearningRate at decaySteps). */
    public record Training(int batchSize, double learningRate, double minLearningRate, long warmupSteps,
            long decaySteps, double weightDecay, double beta1, double beta2, double epsilon, double gradClipNorm) {
    }

    /** A language of the mixture: its id in the prepared corpus, its role, its weight at step 0. */
    public record Language(String id, LanguageRole role, double weight) {
    }

    /** Scheduled mixture changes; the weights of a phase hold from {@code fromStep} until the next phase. */
    public record Mixture(List<Phase> phases) {
    }

    /** Languages left out of {@code weights} get weight 0. */
    public record Phase(long fromStep, Map<String, Double> weights) {
    }

    /**
     * Probe cadence. {@code statsEvery}: steps per TRAIN activation-statistics window (0 = off).
     * {@code evalEvery}: steps between eval points (held-out loss, HELDOUT statistics, logit lens; 0 = only
     * at the end). {@code maxProbeWindows}: held-out windows per language (0 = all). {@code promptDir}: folder
     * of {@code <primary>-<new>.tsv} working-language prompts, null = the ones shipped on the classpath.
     */
    public record Probes(int statsEvery, int evalEvery, int evalBatchSize, int maxProbeWindows, String promptDir) {
    }

    /** Checkpoint every {@code every} steps (0 = only at the end or on stop); keep the newest {@code keep}. */
    public record Checkpoints(int every, int keep) {
    }

    /** One status line every {@code every} steps. */
    public record Logging(int every) {
    }

    /** Reweighting policy the run asks the streams apps for; {@code params} travel as strings. */
    public record Feedback(String policy, Map<String, String> params) {
    }

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    public static RunConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("config file " + file + " does not exist");
        }
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates YAML text; {@code source} names it in error messages. */
    public static RunConfig parse(String yaml, String source) {
        RunConfig config;
        try {
            config = YAML.readValue(yaml, RunConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("config " + source + ": unknown key '" + path(e) + "'", e);
        } catch (JsonMappingException e) {
            throw new InvalidInputException("config " + source + ": " + e.getOriginalMessage()
                    + (e.getPath().isEmpty() ? "" : " (at '" + path(e) + "')"), e);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("config " + source + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (config == null) {
            throw new InvalidInputException("config " + source + " is empty");
        }
        return config.validate(source);
    }

    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    public RunConfig withSteps(long steps) {
        return new RunConfig(new Run(run.name, steps, run.seed), model, training, languages, mixture, probes,
                checkpoint, logging, feedback);
    }

    public RunConfig withSeed(long seed) {
        return new RunConfig(new Run(run.name, run.steps, seed), model, training, languages, mixture, probes,
                checkpoint, logging, feedback);
    }

    public List<String> languageIds() {
        return languages.stream().map(Language::id).toList();
    }

    /** The one PRIMARY language. */
    public String primaryLanguage() {
        return languages.stream().filter(l -> l.role() == LanguageRole.PRIMARY).findFirst().orElseThrow().id();
    }

    public List<String> languagesWithRole(LanguageRole role) {
        return languages.stream().filter(l -> l.role() == role).map(Language::id).toList();
    }

    /** Initial mixture weights by language, in config order. */
    public Map<String, Double> initialWeights() {
        Map<String, Double> weights = new LinkedHashMap<>();
        languages.forEach(l -> weights.put(l.id(), l.weight()));
        return weights;
    }

    /** The config's mixture over steps (mixture version 0): the initial weights, then each phase from its step. */
    public MixtureSchedule mixtureSchedule() {
        return schedule(languageIds(), initialWeights(), mixture.phases());
    }

    /** A {@link MixtureSchedule.Curve#STEP} schedule: {@code initial} at step 0, each phase's weights from its fromStep. */
    public static MixtureSchedule schedule(List<String> languages, Map<String, Double> initial, List<Phase> phases) {
        List<MixtureSchedule.Point> points = new ArrayList<>();
        points.add(new MixtureSchedule.Point(0, initial));
        phases.forEach(p -> points.add(new MixtureSchedule.Point(p.fromStep(), p.weights())));
        return new MixtureSchedule(languages, points, MixtureSchedule.Curve.STEP);
    }

    /** Checks every value a run depends on; the message names the key and the problem. */
    public RunConfig validate(String source) {
        String where = "config " + source + ": ";
        require(run != null && model != null && training != null && languages != null && mixture != null
                && probes != null && checkpoint != null && logging != null, where + "sections run, model, training, "
                + "languages, mixture, probes, checkpoint and logging must not be null");
        require(run.name != null && run.name.matches("[A-Za-z0-9._-]+"),
                where + "run.name must be a non-empty word of letters, digits, '.', '_' or '-', got '" + run.name + "'");
        require(run.steps > 0, where + "run.steps must be positive, got " + run.steps);
        try {
            model.validate();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + e.getMessage(), e);
        }
        Training t = training;
        require(t.batchSize > 0, where + "training.batchSize must be positive, got " + t.batchSize);
        require(t.learningRate > 0 && Double.isFinite(t.learningRate), where + "training.learningRate must be > 0");
        require(t.minLearningRate >= 0 && t.minLearningRate <= t.learningRate,
                where + "training.minLearningRate must be in [0, learningRate]");
        require(t.warmupSteps >= 0, where + "training.warmupSteps must be >= 0");
        require(t.decaySteps > t.warmupSteps, where + "training.decaySteps (" + t.decaySteps
                + ") must be greater than training.warmupSteps (" + t.warmupSteps + ")");
        require(t.weightDecay >= 0, where + "training.weightDecay must be >= 0");
        require(t.beta1 >= 0 && t.beta1 < 1 && t.beta2 >= 0 && t.beta2 < 1, where + "training.beta1 and beta2 must be in [0, 1)");
        require(t.epsilon > 0, where + "training.epsilon must be > 0");
        require(t.gradClipNorm >= 0, where + "training.gradClipNorm must be >= 0 (0 = no clipping)");

        require(!languages.isEmpty(), where + "languages must list at least one language");
        Set<String> ids = new HashSet<>();
        for (Language l : languages) {
            require(l.id != null && !l.id.isBlank(), where + "every language needs an id");
            require(ids.add(l.id), where + "language '" + l.id + "' is listed twice");
            require(l.role != null, where + "language '" + l.id + "' needs a role (PRIMARY, NEW, PARALLEL, INSTRUCTION)");
        }
        long primaries = languages.stream().filter(l -> l.role == LanguageRole.PRIMARY).count();
        require(primaries == 1, where + "exactly one language must have role PRIMARY, found " + primaries);
        checkWeights(where + "languages[].weight", initialWeights(), ids);

        require(mixture.phases != null, where + "mixture.phases must be a list (may be empty: [])");
        long previous = 0;
        for (Phase p : mixture.phases) {
            require(p.fromStep > previous, where + "mixture.phases must have increasing fromStep > 0, got "
                    + p.fromStep + " after " + previous);
            previous = p.fromStep;
            require(p.weights != null, where + "mixture phase from step " + p.fromStep + " has no weights");
            checkWeights(where + "mixture phase from step " + p.fromStep, p.weights, ids);
        }

        require(probes.statsEvery >= 0 && probes.evalEvery >= 0 && probes.maxProbeWindows >= 0,
                where + "probes.statsEvery, evalEvery and maxProbeWindows must be >= 0");
        require(probes.evalBatchSize > 0, where + "probes.evalBatchSize must be positive");
        require(checkpoint.every >= 0, where + "checkpoint.every must be >= 0");
        require(checkpoint.keep > 0, where + "checkpoint.keep must be positive");
        require(logging.every > 0, where + "logging.every must be positive");
        if (feedback != null) {
            require(feedback.policy != null && !feedback.policy.isBlank(), where + "feedback.policy must be named (or write feedback: null)");
        }
        return this;
    }

    /** Mixture weights: only the run's languages, finite, >= 0, summing to > 0; throws naming {@code what}. */
    public static void checkWeights(String what, Map<String, Double> weights, Set<String> languages) {
        MixtureWeights.problem(weights, languages).ifPresent(problem -> require(false, what + ": " + problem));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new InvalidInputException(message);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
