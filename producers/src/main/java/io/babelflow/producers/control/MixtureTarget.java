package io.babelflow.producers.control;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What {@link MixtureControl} steers: the trainer's mixture sampler, seen without its DJL types. */
public interface MixtureTarget {
    /** Languages of the run; an update naming another one is rejected. */
    Set<String> languages();

    /** Version of the weights in force (0 = the run config's initial weights). */
    long version();

    /**
     * Installs validated weights; they take effect at the next step boundary. Returns why the target
     * refused them (e.g. a newer version is already pending), or empty when accepted.
     */
    Optional<String> apply(long version, Map<String, Double> weights);
}
