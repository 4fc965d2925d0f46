package io.babelflow.streams.specialization.app;

import io.babelflow.events.LanguageReading;
import io.babelflow.events.RunStarted;
import io.babelflow.events.WorkingLanguage;
import io.babelflow.streams.specialization.stage.RunLanguages;
import io.babelflow.streams.specialization.stage.ShareProgress;
import io.babelflow.streams.specialization.stage.StageEvidence;
import io.babelflow.streams.specialization.stage.WorkingLanguageShare;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns logit-lens readings into each new language's working-language share per layer and,
 * once every middle layer of an eval step is in, its middle-layer share. Readings of an older
 * step than the newest seen are stale and skipped; readings for a run whose RunStarted has not
 * arrived cannot be interpreted (no primary language) and are skipped with a warning.
 */
final class WorkingLanguageProcessor implements Processor<String, WorkingLanguage, String, StageEvidence> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkingLanguageProcessor.class);
    private ProcessorContext<String, StageEvidence> context;
    private KeyValueStore<String, RunStarted> runs;
    private KeyValueStore<String, ShareProgress> progress;

    @Override
    public void init(ProcessorContext<String, StageEvidence> context) {
        this.context = context;
        runs = context.getStateStore(SpecializationStores.RUNS);
        progress = context.getStateStore(SpecializationStores.WORKING_LANGUAGE);
    }

    @Override
    public void process(Record<String, WorkingLanguage> record) {
        WorkingLanguage reading = record.value();
        RunLanguages roles = RunLanguages.of(runs.get(record.key()));
        if (!roles.known()) {
            LOG.warn("working-language reading of run {} step {} before its RunStarted (or without a primary language); skipped",
                    record.key(), reading.getStep());
            return;
        }
        ShareProgress state = progress.get(record.key());
        if (state == null || reading.getStep() > state.step()) {
            state = ShareProgress.start(reading.getStep(), reading.getLayers());
        } else if (reading.getStep() < state.step()) {
            LOG.debug("stale working-language reading of run {} step {} (newest {})", record.key(), reading.getStep(),
                    state.step());
            return;
        }
        for (LanguageReading r : reading.getReadings()) {
            String language = r.getProbeLanguage();
            if (roles.newLanguages().contains(language)) {
                state = state.with(language, reading.getLayer(),
                        WorkingLanguageShare.share(r.getAnswerMass(), language, roles.primary()));
            }
        }
        for (String language : roles.newLanguages()) {
            if (!state.emitted().contains(language) && state.middleComplete(language)) {
                state = state.withEmitted(language);
                context.forward(new Record<>(record.key(), new StageEvidence.ShareEvidence(state.step(), language,
                        state.middleShare(language), state.shares().get(language)), record.timestamp()));
            }
        }
        progress.put(record.key(), state);
    }
}
