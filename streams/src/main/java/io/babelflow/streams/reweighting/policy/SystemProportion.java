package io.babelflow.streams.reweighting.policy;

import java.util.OptionalDouble;

/**
 * The estimated share of a new language's own knowledge system, read off its loss curve:
 * P(ℓ) = (α − ℓ) / (α − β), clamped to [0, 1], with α the language's initial loss, β its lowest loss so
 * far and ℓ its current loss. All three are taken on an exponential moving average of the observed
 * losses (ℓ̄ ← s·ℓ̄ + (1 − s)·ℓ, started at the first value), so one noisy batch neither sets β nor
 * swings P. P is 1 while the loss keeps reaching new lows and falls as it climbs back towards α. Before
 * the loss has dropped at all P is 0 (no system of its own yet).
 */
public final class SystemProportion {
    private final double smoothing;
    private State state = new State(0, 0, 0, 0);

    /** {@code initial} = α, {@code lowest} = β, {@code smoothed} = current ℓ̄. */
    public record State(long observations, double initial, double lowest, double smoothed) {
    }

    public SystemProportion(double smoothing) {
        this.smoothing = smoothing;
    }

    public void observe(double loss) {
        if (state.observations() == 0) {
            state = new State(1, loss, loss, loss);
            return;
        }
        double smoothed = smoothing * state.smoothed() + (1 - smoothing) * loss;
        state = new State(state.observations() + 1, state.initial(), Math.min(state.lowest(), smoothed), smoothed);
    }

    public OptionalDouble proportion() {
        if (state.observations() == 0) {
            return OptionalDouble.empty();
        }
        double range = state.initial() - state.lowest();
        if (range <= 0) {
            return OptionalDouble.of(0);
        }
        return OptionalDouble.of(Math.max(0, Math.min(1, (state.initial() - state.smoothed()) / range)));
    }

    /** (α − β) / α: how far the loss has come down, relative to where it started. */
    public double relativeDrop() {
        return state.observations() == 0 || state.initial() <= 0 ? 0 : (state.initial() - state.lowest()) / state.initial();
    }

    public State state() {
        return state;
    }

    public void restore(State restored) {
        state = restored;
    }
}
