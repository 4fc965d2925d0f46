package io.babelflow.streams.specialization.app;

import io.babelflow.events.NeuronSpecialization;
import io.babelflow.streams.specialization.stage.StageEvidence;
import java.util.List;

/** Everything one closed window produces: a NeuronSpecialization per layer and the model-wide evidence for the stage detector. */
record ClosedWindow(List<NeuronSpecialization> layers, StageEvidence.WindowEvidence evidence) {
}
