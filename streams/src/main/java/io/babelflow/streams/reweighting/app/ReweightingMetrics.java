package io.babelflow.streams.reweighting.app;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Totals of the reweighting app since its start, summed over its tasks. They are Kafka Streams
 * sensors (group {@value #GROUP}, metrics {@code <name>-total} and {@code <name>-rate}, tagged with
 * {@code thread-id} and the task as {@code reweighting-id}), so JMX and any Kafka metrics reporter
 * see them without extra wiring; this record is the plain accessor.
 *
 * @param updatesEmitted    MixtureUpdates sent to the control topic
 * @param decisionsDeferred new policy targets the minimum-interval guardrails held back
 * @param nonFiniteInputs   NaN or infinite values the guardrails dropped from signals and targets
 * @param runsSteered       runs that got a controller (new, or reconfigured by a RunStarted)
 * @param deadLetters       records sent to the dead-letter topic
 * @param stepsMerged       training steps fed to a policy, each merged over its ranks
 * @param incompleteSteps   of those, steps merged without every rank (grace period or ranks moved on)
 * @param lateRecords       TrainStep or EvalResult records of a step already fed, or a rank's duplicate
 */
public record ReweightingMetrics(long updatesEmitted, long decisionsDeferred, long nonFiniteInputs, long runsSteered,
                                 long deadLetters, long stepsMerged, long incompleteSteps, long lateRecords) {

    /** The sensors' scope; Kafka Streams names the metric group {@code stream-<scope>-metrics}. */
    static final String SCOPE = "reweighting";
    public static final String GROUP = "stream-" + SCOPE + "-metrics";

    static final String UPDATES = "mixture-updates";
    static final String DEFERRED = "decisions-deferred";
    static final String NON_FINITE = "non-finite-inputs";
    static final String RUNS_STEERED = "runs-steered";
    static final String DEAD_LETTERS = "dead-letters";
    static final String STEPS_MERGED = "steps-merged";
    static final String INCOMPLETE_STEPS = "incomplete-steps";
    static final String LATE_RECORDS = "late-records";

    /** Sums the {@code -total} metrics of every task in a client's (or test driver's) metrics. */
    public static ReweightingMetrics from(Map<MetricName, ? extends Metric> metrics) {
        return new ReweightingMetrics(total(metrics, UPDATES), total(metrics, DEFERRED), total(metrics, NON_FINITE),
                total(metrics, RUNS_STEERED), total(metrics, DEAD_LETTERS), total(metrics, STEPS_MERGED),
                total(metrics, INCOMPLETE_STEPS), total(metrics, LATE_RECORDS));
    }

    private static long total(Map<MetricName, ? extends Metric> metrics, String name) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (GROUP.equals(e.getKey().group()) && (name + "-total").equals(e.getKey().name())) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return Math.round(sum);
    }

    /** One task's sensors; created in the processor's init, removed in its close. */
    static final class Sensors {
        private final StreamsMetrics metrics;
        final Sensor updates;
        final Sensor deferred;
        final Sensor nonFinite;
        final Sensor runsSteered;
        final Sensor deadLetters;
        final Sensor stepsMerged;
        final Sensor incompleteSteps;
        final Sensor lateRecords;

        Sensors(ProcessorContext<?, ?> context) {
            this.metrics = context.metrics();
            String task = context.taskId().toString();
            updates = sensor(task, UPDATES);
            deferred = sensor(task, DEFERRED);
            nonFinite = sensor(task, NON_FINITE);
            runsSteered = sensor(task, RUNS_STEERED);
            deadLetters = sensor(task, DEAD_LETTERS);
            stepsMerged = sensor(task, STEPS_MERGED);
            incompleteSteps = sensor(task, INCOMPLETE_STEPS);
            lateRecords = sensor(task, LATE_RECORDS);
        }

        private Sensor sensor(String task, String name) {
            return metrics.addRateTotalSensor(SCOPE, task, name, Sensor.RecordingLevel.INFO);
        }

        /** Records {@code n} events; the total counts recordings, so one per event. */
        static void record(Sensor sensor, long n) {
            for (long i = 0; i < n; i++) {
                sensor.record();
            }
        }

        void remove() {
            for (Sensor s : new Sensor[] {updates, deferred, nonFinite, runsSteered, deadLetters, stepsMerged,
                    incompleteSteps, lateRecords}) {
                metrics.removeSensor(s);
            }
        }
    }
}
