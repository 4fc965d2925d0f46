package io.babelflow.trainer.train;

import java.util.random.RandomGenerator;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a generator whose whole state is one long, so a checkpoint
 * can save it and a resumed run draws exactly the batches the uninterrupted run would have drawn.
 * Bounded and floating-point draws come from {@link RandomGenerator}'s defaults.
 */
public final class SplitMix64 implements RandomGenerator {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    @Override
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }
}
