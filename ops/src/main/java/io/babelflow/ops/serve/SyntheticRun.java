package io.babelflow.ops.serve;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.LanguageRole;
import io.babelflow.events.LanguageSpec;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.ModelShape;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.Stage;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.schemas.Topic;
import io.babelflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A plausible run's analysis events without training a model: per-language loss curves, held-out
 * loss, mixture updates, neuron windows, working-language readings and stage changes of a primary
 * language and new ones. For the page's browser test and the observatory benchmarks, where the
 * shape of a long run matters and a real one would take hours.
 */
public final class SyntheticRun {
    private final String runId;
    private final List<String> languages;
    private final int layers;
    private final int neurons;
    private final long steps;
    private final int every;
    private final Random random;
    private long sequence;

    /** {@code every}: steps between eval points, statistics windows and mixture updates. */
    public SyntheticRun(String runId, int languageCount, int layers, int neurons, long steps, int every, long seed) {
        List<String> pool = List.of("python", "go", "cpp", "rust", "java", "ruby", "perl", "js", "c", "php");
        if (languageCount < 2 || languageCount > pool.size()) {
            throw new IllegalArgumentException("2 to " + pool.size() + " languages, got " + languageCount);
        }
        this.runId = runId;
        this.languages = pool.subList(0, languageCount);
        this.layers = layers;
        this.neurons = neurons;
        this.steps = steps;
        this.every = every;
        this.random = new Random(seed);
    }

    public String runId() {
        return runId;
    }

    public void start(Producer<byte[], byte[]> producer, Instant at) {
        List<LanguageSpec> specs = new ArrayList<>();
        for (int i = 0; i < languages.size(); i++) {
            specs.add(new LanguageSpec(languages.get(i), i == 0 ? LanguageRole.PRIMARY : LanguageRole.NEW,
                    i == 0 ? 1.0 : 0.0));
        }
        send(producer, Topics.RUNS, RunStarted.newBuilder().setRunId(runId).setSequence(sequence++).setStartedAt(at)
                .setConfig("# synthetic").setLanguages(specs).setModel(new ModelShape(layers, 64, 4, neurons, 64, 256))
                .setFeedbackPolicy("schedule").build());
    }

    /** Publishes steps [from, to), each stamped {@code stepMillis} after the previous from {@code t0}. */
    public void steps(Producer<byte[], byte[]> producer, long from, long to, Instant t0, long stepMillis) {
        for (long step = from; step < to; step++) {
            step(producer, step, t0.plusMillis(step * stepMillis));
        }
    }

    public void step(Producer<byte[], byte[]> producer, long step, Instant at) {
        Map<String, Double> weights = weights(step);
        Map<String, Double> loss = new TreeMap<>();
        Map<String, Long> tokens = new TreeMap<>();
        double total = 0;
        long all = 0;
        for (String l : languages) {
            double w = weights.get(l);
            if (w <= 0) {
                continue;
            }
            double v = curve(l, step) + random.nextGaussian() * 0.05 + (random.nextInt(2000) == 0 ? 2.0 : 0);
            long n = Math.max(1, Math.round(4096 * w));
            loss.put(l, v);
            tokens.put(l, n);
            total += v * n;
            all += n;
        }
        send(producer, Topics.TRAIN_STEPS, TrainStep.newBuilder().setRunId(runId).setStep(step).setSequence(sequence++)
                .setTimestamp(at).setTokens(all).setLearningRate(3e-4).setLoss(total / all).setLanguageLoss(loss)
                .setLanguageTokens(tokens).setMixtureVersion(step / every).setMixtureWeights(weights).build());
        if (step % every == every - 1) {
            window(producer, step, at);
        }
    }

    private void window(Producer<byte[], byte[]> producer, long step, Instant at) {
        Map<String, Double> held = new TreeMap<>();
        languages.forEach(l -> held.put(l, curve(l, step) + 0.1));
        Map<String, Long> heldTokens = new TreeMap<>();
        languages.forEach(l -> heldTokens.put(l, 8192L));
        send(producer, Topics.EVAL_RESULTS, EvalResult.newBuilder().setRunId(runId).setSequence(sequence++).setStep(step)
                .setTimestamp(at).setLanguageLoss(held).setLanguageTokens(heldTokens).build());
        send(producer, Topics.MIXTURE_CONTROL, MixtureUpdate.newBuilder().setRunId(runId).setVersion(step / every + 1)
                .setWeights(weights(step + 1)).setPolicy("schedule").setReason("schedule phase at step " + (step + 1))
                .setBasedOnStep(step).setCreatedAt(at).build());
        double progress = (double) step / steps;
        for (int layer = 0; layer < layers; layer++) {
            Map<String, List<Integer>> specific = new LinkedHashMap<>();
            Map<String, List<Integer>> transferring = new LinkedHashMap<>();
            for (int i = 0; i < languages.size(); i++) {
                int count = (int) (neurons * 0.02 * (0.5 + progress) * (1 + Math.abs(layer - layers / 2.0) / layers));
                List<Integer> ids = new ArrayList<>();
                for (int k = 0; k < count; k++) {
                    ids.add((i * 37 + k * 3 + layer) % neurons);
                }
                specific.put(languages.get(i), ids);
                if (i > 0) {
                    transferring.put(languages.get(i), ids.subList(0, (int) (ids.size() * Math.max(0.05, 0.6 - progress))));
                }
            }
            send(producer, Topics.NEURON_SPECIALIZATION, NeuronSpecialization.newBuilder().setRunId(runId)
                    .setWindowStart(step - every + 1).setWindowEnd(step).setLayer(layer).setNeurons(neurons)
                    .setComplete(true).setProbabilityBar(0.4).setTopRate(0.05).setMeanEntropy(0.5)
                    .setSpecificNeurons(specific).setTransferringNeurons(transferring).setCreatedAt(at).build());
            List<LanguageReading> readings = new ArrayList<>();
            for (String l : languages.subList(1, languages.size())) {
                double own = Math.min(0.95, 0.05 + progress * (0.4 + 0.6 * layer / Math.max(1, layers - 1)));
                readings.add(new LanguageReading(l, 16, Map.of(l, own, languages.get(0), 1 - own)));
            }
            send(producer, Topics.WORKING_LANGUAGE, WorkingLanguage.newBuilder().setRunId(runId).setSequence(sequence++)
                    .setStep(step).setTimestamp(at).setLayer(layer).setLayers(layers).setReadings(readings).build());
        }
        for (int i = 1; i < languages.size(); i++) {
            Stage stage = progress < 0.3 ? Stage.TRANSLATION : progress < 0.7 ? Stage.TRANSITION : Stage.STABILIZATION;
            Stage before = progress - (double) every / steps < 0.3 ? Stage.TRANSLATION
                    : progress - (double) every / steps < 0.7 ? Stage.TRANSITION : Stage.STABILIZATION;
            if (step == every - 1 || stage != before) {
                send(producer, Topics.STAGE_CHANGES, StageChange.newBuilder().setRunId(runId).setLanguage(languages.get(i))
                        .setFrom(step == every - 1 ? null : before).setTo(stage).setStep(step)
                        .setSignals(Map.of("progress", progress)).setReason("synthetic: " + stage.name().toLowerCase()
                                + " at " + Math.round(progress * 100) + "% of the run").setCreatedAt(at).build());
            }
        }
    }

    public void end(Producer<byte[], byte[]> producer, long lastStep, Instant at) {
        send(producer, Topics.RUN_ENDS, RunEnded.newBuilder().setRunId(runId).setSequence(sequence++).setEndedAt(at)
                .setLastStep(lastStep).setReason("completed").build());
    }

    /** Python alone for the first third, then the new languages join over the second third. */
    private Map<String, Double> weights(long step) {
        double join = Math.min(1, Math.max(0, (step - steps / 3.0) / (steps / 3.0)));
        Map<String, Double> w = new TreeMap<>();
        int others = languages.size() - 1;
        w.put(languages.get(0), 1 - 0.5 * join);
        languages.subList(1, languages.size()).forEach(l -> w.put(l, 0.5 * join / others));
        return w;
    }

    private double curve(String language, long step) {
        int i = languages.indexOf(language);
        double start = i == 0 ? 0 : steps / 3.0;
        double t = Math.max(0, step - start);
        return 1.2 + 0.1 * i + 4.3 * Math.exp(-t / (steps / 8.0 + 1));
    }

    private <V> void send(Producer<byte[], byte[]> producer, Topic<String, V> topic, V value) {
        producer.send(new ProducerRecord<>(topic.name(), runId.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }
}
