package io.babelflow.streams.reweighting.policy;

/** Which loss a policy reads: per-batch training loss (every step, noisy) or held-out loss (eval points). */
public enum LossSource { TRAIN, HELDOUT }
