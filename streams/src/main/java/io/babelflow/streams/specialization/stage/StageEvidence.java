package io.babelflow.streams.specialization.stage;

import java.util.List;
import java.util.Map;

/**
 * What the stage processor hears about a run: a closed activation window, a working-language
 * reading, or a held-out loss point. Passed between processors of one sub-topology, never
 * serialized on a topic; the records also form the run summary (JSON).
 */
public sealed interface StageEvidence {

    /**
     * Model-wide outcome of one closed window.
     *
     * @param specific      language to neurons assigned to it over all layers
     * @param transferring  new language to neurons assigned to it and to the primary language
     * @param jaccard       language to model-wide Jaccard overlap with the previous window's set
     *                      (empty for the first window and for a window closed after a newer one)
     * @param layerSpecific layer to language to neurons assigned
     * @param newest        false when a newer window had already closed: it then feeds no stage
     * @param transfer      new language to its model-wide transfer measure
     *                      ({@link io.babelflow.streams.specialization.lape.TransferMeasure}; absent: undefined)
     */
    record WindowEvidence(long windowStart, long windowEnd, boolean complete, List<Integer> missingRanks,
            double probabilityBar, int candidates, int selected, Map<String, Integer> specific,
            Map<String, Integer> transferring, Map<String, Double> jaccard,
            Map<Integer, Map<String, Integer>> layerSpecific, boolean newest, Map<String, Double> transfer)
            implements StageEvidence {
    }

    /**
     * Working language of a new language at one eval point, once every middle layer has reported.
     *
     * @param middleShare mean share of the new language over the middle third of the layers
     * @param layerShares layer to share, every layer read so far at this step
     */
    record ShareEvidence(long step, String language, double middleShare, Map<Integer, Double> layerShares)
            implements StageEvidence {
    }

    /**
     * Held-out loss of one language at an eval point, its slope over the last points and its
     * {@link LossTrajectory} since the language was introduced (null while its introduction is unknown).
     */
    record LossEvidence(long step, String language, double loss, double slopePer1000Steps, int points,
            LossTrajectory.Reading trajectory) implements StageEvidence {

        public LossEvidence(long step, String language, double loss, double slopePer1000Steps, int points) {
            this(step, language, loss, slopePer1000Steps, points, null);
        }
    }
}
