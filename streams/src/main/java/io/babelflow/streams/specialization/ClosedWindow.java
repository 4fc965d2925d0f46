package io.babelflow.streams.specialization;

import io.babelflow.events.NeuronSpecialization;
import java.util.List;

/** Everything one closed window produces: a NeuronSpecialization per layer and the model-wide signal. */
record ClosedWindow(List<NeuronSpecialization> layers, StageEvidence.WindowEvidence signal) {
}
