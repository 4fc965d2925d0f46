package io.babelflow.schemas;

import io.babelflow.events.ActivationStats;
import io.babelflow.events.EvalResult;
import io.babelflow.events.MixtureUpdate;
import io.babelflow.events.NeuronSpecialization;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.StageChange;
import io.babelflow.events.TrainStep;
import io.babelflow.events.WorkingLanguage;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** The top-level event types, i.e. the values that travel on topics. */
public final class Events {
    /** Events a trainer emits, in the order a run emits them. */
    public static final List<Class<? extends SpecificRecord>> TELEMETRY = List.of(
            RunStarted.class, TrainStep.class, ActivationStats.class, WorkingLanguage.class,
            EvalResult.class, RunEnded.class);

    /** Every top-level event type: telemetry, analysis outputs and control. */
    public static final List<Class<? extends SpecificRecord>> ALL = List.of(
            RunStarted.class, TrainStep.class, ActivationStats.class, WorkingLanguage.class,
            EvalResult.class, RunEnded.class, NeuronSpecialization.class, StageChange.class,
            MixtureUpdate.class);

    private Events() {
    }

    public static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return org.apache.avro.specific.SpecificData.get().getSchema(type);
    }

    /** Union of the telemetry schemas: the schema of a run's telemetry container file. */
    public static Schema telemetryUnion() {
        return Schema.createUnion(TELEMETRY.stream().map(Events::schemaOf).toList());
    }
}
