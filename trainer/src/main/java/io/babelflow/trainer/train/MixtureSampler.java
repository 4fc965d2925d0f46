package io.babelflow.trainer.train;

import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.schemas.mixture.MixtureWeights;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Versioned corpus-mixture weights and the random generator that draws from them.
 *
 * <p>Version 0 is the run config's {@link MixtureSchedule} (initial weights, then its phases by
 * step). {@link #update} installs weights sent by a feedback policy, from any thread; they take
 * effect at the next {@link #beginStep}, so a step never mixes two versions. Once a feedback
 * version is in force the config's phases no longer apply: the policy owns the mixture.
 *
 * <p>The generator's state and the weights in force are checkpointed ({@link #state}); an update
 * received but not yet in force is not, since the compacted control topic re-delivers it.
 */
public final class MixtureSampler {
    /** Outcome of an {@link #update}: rejected updates leave the weights unchanged and say why. */
    public record UpdateResult(boolean accepted, String reason) {
        static UpdateResult accept() {
            return new UpdateResult(true, "accepted");
        }

        static UpdateResult reject(String reason) {
            return new UpdateResult(false, reason);
        }
    }

    /** What a checkpoint keeps. */
    public record State(long randomState, long version, Map<String, Double> weights) {
    }

    private final List<String> languages;
    private final Set<String> languageSet;
    private final MixtureSchedule schedule;
    private final SplitMix64 random;
    private final AtomicLong rejected = new AtomicLong();
    private Mixture current;
    private Mixture pending;

    public MixtureSampler(List<String> languages, MixtureSchedule schedule, long seed) {
        this.languages = List.copyOf(languages);
        this.languageSet = new LinkedHashSet<>(languages);
        this.schedule = schedule;
        this.random = new SplitMix64(seed);
        this.current = new Mixture(0, languages, schedule.at(0));
    }

    /**
     * Offers new weights; thread-safe. Accepted when version and weights pass {@link MixtureWeights}'
     * rule, the version compared with the latest one received.
     */
    public synchronized UpdateResult update(long version, Map<String, Double> weights) {
        long latest = pending != null ? pending.version() : current.version();
        Optional<String> problem = MixtureWeights.versionProblem(version, latest)
                .or(() -> MixtureWeights.problem(weights, languageSet));
        if (problem.isPresent()) {
            rejected.incrementAndGet();
            return UpdateResult.reject(problem.get());
        }
        pending = new Mixture(version, languages, weights);
        return UpdateResult.accept();
    }

    /** Fixes the weights for step {@code step}: a pending update if any, else the schedule while at version 0. */
    public synchronized Mixture beginStep(long step) {
        if (pending != null) {
            current = pending;
            pending = null;
        } else if (current.version() == 0) {
            current = new Mixture(0, languages, schedule.at(step));
        }
        return current;
    }

    /** Weights of the most recent step. */
    public synchronized Mixture current() {
        return current;
    }

    /** Updates rejected so far. */
    public long rejectedUpdates() {
        return rejected.get();
    }

    /** The run's random generator: languages and window offsets are drawn from it (training thread only). */
    public SplitMix64 random() {
        return random;
    }

    /** Index of a language drawn from {@code mixture}. */
    public int sampleLanguage(Mixture mixture) {
        return mixture.sample(random.nextDouble());
    }

    public synchronized State state() {
        return new State(random.state(), current.version(), current.asMap());
    }

    public synchronized void restore(State state) {
        random.setState(state.randomState());
        current = new Mixture(state.version(), languages, state.weights());
        pending = null;
    }
}
