package io.babelflow.ops.train;

import io.babelflow.producers.control.MixtureTarget;
import io.babelflow.trainer.train.MixtureSampler;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The trainer's MixtureSampler as the control loop's target. */
public final class SamplerTarget implements MixtureTarget {
    private final MixtureSampler sampler;
    private final Set<String> languages;

    public SamplerTarget(MixtureSampler sampler, List<String> languages) {
        this.sampler = sampler;
        this.languages = new LinkedHashSet<>(languages);
    }

    @Override
    public Set<String> languages() {
        return languages;
    }

    @Override
    public long version() {
        return sampler.current().version();
    }

    @Override
    public Optional<String> apply(long version, Map<String, Double> weights) {
        MixtureSampler.UpdateResult result = sampler.update(version, weights);
        return result.accepted() ? Optional.empty() : Optional.of(result.reason());
    }
}
