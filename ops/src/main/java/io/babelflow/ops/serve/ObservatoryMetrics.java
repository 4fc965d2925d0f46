package io.babelflow.ops.serve;

import io.babelflow.streams.observatory.LayerWindow;
import io.babelflow.streams.observatory.ObservatoryListener;
import io.babelflow.streams.observatory.ObservatoryUpdate;
import io.babelflow.streams.observatory.RunView;
import io.babelflow.streams.observatory.TimelineEvent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The run metrics of {@code babelflow serve} (the "served by babelflow serve" block of the metrics
 * contract), kept current from the observatory's updates. Every label set a run uses is
 * remembered, so a finished run's series leave the exposition {@code retention} after its RunEnded.
 */
public final class ObservatoryMetrics implements ObservatoryListener, AutoCloseable {
    private static final List<String> STAGES = List.of("TRANSLATION", "TRANSITION", "STABILIZATION");

    private final Gauge runInfo;
    private final Gauge runStep;
    private final Gauge loss;
    private final Counter tokens;
    private final Gauge mixtureWeight;
    private final Gauge mixtureVersion;
    private final Gauge specific;
    private final Gauge transferring;
    private final Gauge transferRatio;
    private final Gauge share;
    private final Gauge stage;
    private final Counter deadLetters;
    private final Gauge stepsPerSecond;
    private final Duration retention;
    /** run → metric → label values set for that run. */
    private final Map<String, Map<StatefulMetric<?, ?>, Set<List<String>>>> used = new ConcurrentHashMap<>();
    private final Map<String, String> infoState = new ConcurrentHashMap<>();
    private final ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "observatory-metrics-retention");
        t.setDaemon(true);
        return t;
    });

    public ObservatoryMetrics(PrometheusRegistry registry, Duration retention) {
        this.retention = retention;
        runInfo = gauge(registry, "babelflow_run_info", "A run: policy and state (running, completed, interrupted, failed)",
                "run", "policy", "state");
        runStep = gauge(registry, "babelflow_run_step", "Last training step seen", "run");
        loss = gauge(registry, "babelflow_loss", "Mean cross-entropy in nats per token; language=all is the overall train loss",
                "run", "language", "split");
        tokens = Counter.builder().name("babelflow_tokens").help("Tokens trained per language")
                .labelNames("run", "language").register(registry);
        mixtureWeight = gauge(registry, "babelflow_mixture_weight", "Corpus mixture weight in force (ratio)", "run", "language");
        mixtureVersion = gauge(registry, "babelflow_mixture_version", "Mixture version in force", "run");
        specific = gauge(registry, "babelflow_neurons_specific", "Language-specific FFN neurons in the newest window",
                "run", "language", "layer");
        transferring = gauge(registry, "babelflow_neurons_transferring",
                "Neurons specific to a new language and the primary one in the newest window", "run", "language", "layer");
        transferRatio = gauge(registry, "babelflow_transfer_ratio",
                "Transferring / language-specific neurons of a new language over all layers (ratio)", "run", "language");
        share = gauge(registry, "babelflow_working_language_share",
                "Logit-lens answer mass on the language itself rather than the primary one (ratio)", "run", "language", "layer");
        stage = gauge(registry, "babelflow_stage", "1 for a new language's current Babel Tower stage, 0 for the others",
                "run", "language", "stage");
        deadLetters = Counter.builder().name("babelflow_dead_letters").help("Dead letters by reason and source topic")
                .labelNames("reason", "topic").register(registry);
        stepsPerSecond = gauge(registry, "babelflow_train_steps_per_second", "Training steps per second from TrainStep times",
                "run");
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onUpdate(ObservatoryUpdate u) {
        String run = u.runId();
        switch (u.kind()) {
            case "run" -> run((RunView) u.data());
            case "train" -> {
                Map<String, Object> d = (Map<String, Object>) u.data();
                set(runStep, u.step(), run);
                set(loss, (double) d.get("loss"), run, "all", "train");
                ((Map<String, Double>) d.get("languageLoss")).forEach((l, v) -> set(loss, v, run, l, "train"));
                ((Map<String, Long>) d.get("languageTokens")).forEach((l, n) -> {
                    remember(run, tokens, run, l);
                    tokens.labelValues(run, l).inc(n);
                });
                ((Map<String, Double>) d.get("mixture")).forEach((l, w) -> set(mixtureWeight, w, run, l));
                set(stepsPerSecond, (double) d.get("stepsPerSecond"), run);
            }
            case "heldout" -> ((Map<String, Map<String, Double>>) u.data()).get("loss")
                    .forEach((l, v) -> set(loss, v, run, l, "heldout"));
            case "mixture" -> {
                TimelineEvent e = (TimelineEvent) u.data();
                set(mixtureVersion, e.version(), run);
            }
            case "neurons" -> {
                Map<String, Object> d = (Map<String, Object>) u.data();
                LayerWindow w = (LayerWindow) d.get("window");
                String l = String.valueOf(d.get("layer"));
                w.specific().forEach((lang, c) -> set(specific, c, run, lang, l));
                w.transferring().forEach((lang, c) -> set(transferring, c, run, lang, l));
            }
            case "transfer" -> ((Map<String, Double>) u.data()).forEach((l, r) -> set(transferRatio, r, run, l));
            case "working-language" -> {
                Map<String, Object> d = (Map<String, Object>) u.data();
                String layer = String.valueOf(d.get("layer"));
                ((Map<String, Double>) d.get("share")).forEach((l, v) -> set(share, v, run, l, layer));
            }
            case "stage" -> {
                TimelineEvent e = (TimelineEvent) u.data();
                for (String s : STAGES) {
                    set(stage, s.equals(e.to()) ? 1 : 0, run, e.language(), s);
                }
            }
            case "dead-letter" -> {
                Map<String, Object> d = (Map<String, Object>) u.data();
                deadLetters.labelValues((String) d.get("reason"), (String) d.get("topic")).inc();
            }
            default -> { }
        }
    }

    private void run(RunView v) {
        String policy = v.policy() == null ? "unknown" : v.policy();
        String state = policy + "\u0000" + v.state();
        String before = infoState.put(v.runId(), state);
        if (before != null && !before.equals(state)) {
            String[] old = before.split("\u0000", 2);
            runInfo.remove(v.runId(), old[0], old[1]);
        }
        set(runInfo, 1, v.runId(), policy, v.state());
        if (!RunView.RUNNING.equals(v.state())) {
            set(stepsPerSecond, 0, v.runId());
            cleaner.schedule(() -> forgetIfEnded(v.runId()), retention.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Removes a run's series unless it was resumed meanwhile. */
    private void forgetIfEnded(String run) {
        String state = infoState.get(run);
        if (state == null || state.endsWith("\u0000" + RunView.RUNNING)) {
            return;
        }
        infoState.remove(run);
        Map<StatefulMetric<?, ?>, Set<List<String>>> series = used.remove(run);
        if (series != null) {
            series.forEach((metric, labels) -> labels.forEach(l -> metric.remove(l.toArray(String[]::new))));
        }
    }

    private void set(Gauge gauge, double value, String... labels) {
        remember(labels[0], gauge, labels);
        gauge.labelValues(labels).set(value);
    }

    private void remember(String run, StatefulMetric<?, ?> metric, String... labels) {
        used.computeIfAbsent(run, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(metric, m -> ConcurrentHashMap.newKeySet()).add(List.of(labels));
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
    }
}
