package io.babelflow.streams.observatory;

import io.babelflow.events.EvalResult;
import io.babelflow.events.LanguageReading;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.streams.specialization.stage.WorkingLanguageShare;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Writes every run event into the run's timeline: the {@link RunView}, downsampled series
 * ({@link SeriesWriter}), discrete events and the newest neuron window per layer; then tells the
 * {@link ObservatoryListener}. Series names: {@code loss/train/<lang|all>}, {@code loss/heldout/<lang>},
 * {@code tokens/<lang|all>} (running totals), {@code time} (wall-clock ms per step),
 * {@code mixture/<lang>} (weight in force), {@code neurons/specific|transferring/<lang>/<layer>},
 * {@code transfer/<lang>}, {@code wl/<lang>/<layer>}.
 */
final class TimelineProcessor implements Processor<String, SpecificRecord, Void, Void> {
    private final ObservatoryListener listener;
    private final int eventsKept;
    private KeyValueStore<String, RunView> runs;
    private KeyValueStore<String, TimelineEvent> events;
    private SeriesWriter series;
    private NeuronWindows neurons;

    TimelineProcessor(ObservatoryListener listener, int eventsKept) {
        this.listener = listener;
        this.eventsKept = eventsKept;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        runs = context.getStateStore(ObservatoryStores.RUNS);
        events = context.getStateStore(ObservatoryStores.EVENTS);
        series = new SeriesWriter(context.getStateStore(ObservatoryStores.SERIES),
                context.getStateStore(ObservatoryStores.BUCKETS));
        neurons = new NeuronWindows(context.getStateStore(ObservatoryStores.LAYERS), series);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String run = record.key();
        SpecificRecord event = record.value();
        if (run == null || event == null) {
            return; // a compaction tombstone on the runs or control topic
        }
        RunView view = runs.get(run);
        view = view == null ? RunView.unknown(run) : view;
        if (event instanceof TrainStep s) {
            train(view, s);
        } else if (event instanceof EvalResult e) {
            e.getLanguageLoss().forEach((lang, loss) -> series.add(run, "loss/heldout/" + lang, e.getStep(), loss));
            tell(run, "heldout", e.getStep(), Map.of("loss", e.getLanguageLoss()));
        } else if (event instanceof WorkingLanguage w) {
            workingLanguage(view, w);
        } else if (event instanceof NeuronSpecialization n) {
            put(view.withLayers(n.getLayer() + 1));
            tell(run, "neurons", n.getWindowEnd(), Map.of("layer", n.getLayer(), "window", neurons.add(run, n)));
            Map<String, Double> transfer = neurons.completeWindowTransfer(run, n.getWindowEnd(), runs.get(run).layers());
            if (transfer != null) {
                tell(run, "transfer", n.getWindowEnd(), transfer);
            }
        } else if (event instanceof StageChange c) {
            String from = c.getFrom() == null ? null : c.getFrom().name();
            record(run, view.events(), new TimelineEvent("stage", c.getStep(), c.getCreatedAt().toEpochMilli(),
                    c.getLanguage(), from, c.getTo().name(), 0, null, c.getSignals(), c.getReason()));
            put(view.stage(c.getLanguage(), c.getTo().name()));
        } else if (event instanceof MixtureUpdate u) {
            record(run, view.events(), new TimelineEvent("mixture", u.getBasedOnStep(), u.getCreatedAt().toEpochMilli(),
                    null, null, null, u.getVersion(), u.getPolicy(), u.getWeights(), u.getReason()));
            put(view.mixture(u.getVersion()));
        } else if (event instanceof RunStarted s) {
            if (s.getRank() == 0 && s.getStartStep() > 0) {
                series.truncate(run, s.getStartStep()); // a resume: the new part supersedes
            }
            put(view.started(s));
        } else if (event instanceof RunEnded e) {
            put(view.ended(e));
        }
    }

    private void train(RunView view, TrainStep s) {
        String run = view.runId();
        long step = s.getStep();
        series.add(run, "loss/train/all", step, s.getLoss());
        s.getLanguageLoss().forEach((lang, loss) -> series.add(run, "loss/train/" + lang, step, loss));
        series.addCumulative(run, "tokens/all", step, s.getTokens());
        s.getLanguageTokens().forEach((lang, n) -> series.addCumulative(run, "tokens/" + lang, step, n));
        series.add(run, "time", step, s.getTimestamp().toEpochMilli());
        s.getMixtureWeights().forEach((lang, w) -> series.add(run, "mixture/" + lang, step, w));
        RunView now = view.stepped(s);
        runs.put(run, now);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("time", s.getTimestamp().toEpochMilli());
        data.put("tokens", s.getTokens());
        data.put("loss", s.getLoss());
        data.put("languageLoss", s.getLanguageLoss());
        data.put("languageTokens", s.getLanguageTokens());
        data.put("mixture", s.getMixtureWeights());
        data.put("stepsPerSecond", now.stepsPerSecond());
        tell(run, "train", step, data);
    }

    private void workingLanguage(RunView view, WorkingLanguage w) {
        String primary = view.primary();
        if (primary == null) {
            return; // shares are relative to the primary language, named by RunStarted
        }
        Map<String, Double> shares = new TreeMap<>();
        for (LanguageReading r : w.getReadings()) {
            String lang = r.getProbeLanguage();
            double share = WorkingLanguageShare.share(r.getAnswerMass(), lang, primary);
            if (!lang.equals(primary) && !Double.isNaN(share)) {
                series.add(view.runId(), "wl/" + lang + "/" + w.getLayer(), w.getStep(), share);
                shares.put(lang, share);
            }
        }
        put(view.withLayers(w.getLayers()));
        tell(view.runId(), "working-language", w.getStep(), Map.of("layer", w.getLayer(), "layers", w.getLayers(),
                "share", shares));
    }

    /** Keeps the newest {@code eventsKept} events of a run; older ones leave the store. */
    private void record(String run, long sequence, TimelineEvent e) {
        events.put(ObservatoryKeys.event(run, sequence), e);
        if (sequence >= eventsKept) {
            events.delete(ObservatoryKeys.event(run, sequence - eventsKept));
        }
        tell(run, e.kind(), e.step(), e);
    }

    private void put(RunView view) {
        runs.put(view.runId(), view);
        tell(view.runId(), "run", view.lastStep(), view);
    }

    private void tell(String run, String kind, long step, Object data) {
        listener.onUpdate(new ObservatoryUpdate(run, kind, step, data));
    }
}
