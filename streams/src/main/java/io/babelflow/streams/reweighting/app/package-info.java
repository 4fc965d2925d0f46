/**
 * The reweighting Kafka Streams app: closes the loop from training telemetry to the trainer's corpus
 * mixture.
 *
 * <p>{@link io.babelflow.streams.reweighting.app.ReweightingApp#topology} reads RunStarted, TrainStep,
 * EvalResult and StageChange, all keyed by runId on equally partitioned topics, and runs one
 * {@link io.babelflow.streams.reweighting.MixtureController} per run that names a feedback policy.
 * Data-parallel ranks are merged into one step before the policy sees it; decisions go to the
 * compacted {@code babelflow.mixture-control} topic as MixtureUpdates with strictly increasing
 * versions; undecodable or invalid records (including a RunStarted whose policy or parameters the
 * {@link io.babelflow.streams.reweighting.PolicyFactory} refuses) go to the dead-letter topic. The
 * processor's class comment has the rules for ranks, wall-clock time and state;
 * {@link io.babelflow.streams.reweighting.app.ReweightingMetrics} the counters.
 */
package io.babelflow.streams.reweighting.app;
