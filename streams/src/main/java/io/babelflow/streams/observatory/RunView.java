package io.babelflow.streams.observatory;

import io.babelflow.events.LanguageSpec;
import io.babelflow.events.RunEnded;
import io.babelflow.events.RunStarted;
import io.babelflow.events.TrainStep;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the runs list shows of a run: state (running, completed, interrupted, failed), policy,
 * languages, progress and current stages. A run first seen through a TrainStep (its RunStarted not
 * read yet) is running with unknown policy and languages.
 */
public record RunView(String runId, String policy, List<Language> languages, int layers, String state,
        long startedAt, long startStep, int parts, long endedAt, String endReason, long lastStep, long lastTime,
        double stepsPerSecond, long tokens, long mixtureVersion, Map<String, String> stages, long events,
        Fork fork) {

    public record Language(String id, String role) {
    }

    /** A run started from another run's checkpoint: the parent's id and the step it continues from. */
    public record Fork(String parentRunId, long step) {
    }

    public static final String RUNNING = "running";
    /** Weight of the newest step interval in the steps/s moving average. */
    private static final double RATE_ALPHA = 0.2;

    public static RunView unknown(String runId) {
        return new RunView(runId, null, List.of(), 0, RUNNING, 0, 0, 0, 0, null, -1, 0, 0, 0, 0, Map.of(), 0, null);
    }

    /** The language whose knowledge the others build on (Python, English), or null. */
    public String primary() {
        return languages.stream().filter(l -> "PRIMARY".equals(l.role())).map(Language::id).findFirst().orElse(null);
    }

    RunView started(RunStarted s) {
        List<Language> langs = s.getLanguages().stream()
                .map((LanguageSpec l) -> new Language(l.getId(), l.getRole().name())).toList();
        return new RunView(runId, s.getFeedbackPolicy(), langs, s.getModel().getLayers(), RUNNING,
                startedAt == 0 ? s.getStartedAt().toEpochMilli() : startedAt, s.getStartStep(), parts + 1, 0, null,
                lastStep, lastTime, stepsPerSecond, tokens, mixtureVersion, stages, events,
                s.getParentRunId() == null ? fork : new Fork(s.getParentRunId(), s.getForkStep() == null
                        ? s.getStartStep() : s.getForkStep()));
    }

    RunView ended(RunEnded e) {
        String reason = e.getReason().toLowerCase(java.util.Locale.ROOT);
        String endState = List.of("completed", "interrupted", "failed").contains(reason) ? reason : "failed";
        return new RunView(runId, policy, languages, layers, endState, startedAt, startStep, parts,
                e.getEndedAt().toEpochMilli(), e.getMessage() == null ? reason : reason + ": " + e.getMessage(),
                Math.max(lastStep, e.getLastStep()), lastTime, 0, tokens, mixtureVersion, stages, events, fork);
    }

    RunView stepped(TrainStep s) {
        long time = s.getTimestamp().toEpochMilli();
        double rate = stepsPerSecond;
        if (s.getStep() > lastStep && lastStep >= 0 && time > lastTime) {
            double now = (s.getStep() - lastStep) * 1000.0 / (time - lastTime);
            rate = stepsPerSecond == 0 ? now : (1 - RATE_ALPHA) * stepsPerSecond + RATE_ALPHA * now;
        }
        boolean newer = s.getStep() >= lastStep;
        return new RunView(runId, policy, languages, layers, state, startedAt == 0 ? time : startedAt, startStep,
                parts, endedAt, endReason, newer ? s.getStep() : lastStep, newer ? time : lastTime, rate,
                tokens + s.getTokens(), Math.max(mixtureVersion, s.getMixtureVersion()), stages, events, fork);
    }

    RunView mixture(long version) {
        return new RunView(runId, policy, languages, layers, state, startedAt, startStep, parts, endedAt, endReason,
                lastStep, lastTime, stepsPerSecond, tokens, Math.max(mixtureVersion, version), stages, events + 1, fork);
    }

    RunView stage(String language, String stage) {
        Map<String, String> now = new TreeMap<>(stages);
        now.put(language, stage);
        return new RunView(runId, policy, languages, layers, state, startedAt, startStep, parts, endedAt, endReason,
                lastStep, lastTime, stepsPerSecond, tokens, mixtureVersion, now, events + 1, fork);
    }

    RunView withLayers(int modelLayers) {
        return modelLayers <= layers ? this : new RunView(runId, policy, languages, modelLayers, state, startedAt,
                startStep, parts, endedAt, endReason, lastStep, lastTime, stepsPerSecond, tokens, mixtureVersion,
                stages, events, fork);
    }
}
