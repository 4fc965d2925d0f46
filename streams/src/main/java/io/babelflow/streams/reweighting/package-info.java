/**
 * Corpus-mixture policies of the reweighting app, free of Kafka types so they can be tested and
 * backtested alone.
 *
 * <p>Flow: the app turns Avro events into signals ({@link io.babelflow.streams.reweighting.TelemetrySignals}:
 * {@link io.babelflow.streams.reweighting.StepSignal}, {@link io.babelflow.streams.reweighting.EvalSignal},
 * {@link io.babelflow.streams.reweighting.StageChangeSignal}) and hands them to the run's
 * {@link io.babelflow.streams.reweighting.MixtureController}, built by
 * {@link io.babelflow.streams.reweighting.PolicyFactory#controller} from RunStarted's feedbackPolicy,
 * policyParams and languages. The controller sanitises the signals, asks the
 * {@link io.babelflow.streams.reweighting.ReweightingPolicy} for a target
 * {@link io.babelflow.streams.reweighting.Decision}, applies the
 * {@link io.babelflow.streams.reweighting.Guardrails} and returns a numbered
 * {@link io.babelflow.streams.reweighting.MixtureDecision} (a MixtureUpdate without the run id). Its
 * {@code snapshot()} bytes are the whole per-run state for the state store; after a restart the app
 * rebuilds the controller from RunStarted and calls {@code restore(bytes)}.
 *
 * <p>Policies live in {@code .policy}, the offline replay of recorded telemetry in {@code .backtest}.
 */
package io.babelflow.streams.reweighting;
