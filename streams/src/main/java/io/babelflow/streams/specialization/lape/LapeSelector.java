package io.babelflow.streams.specialization.lape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Language-specific neurons by Language Activation Probability Entropy (LAPE), following the
 * reference {@code identify.py} of Tang et al. (2024), "Language-Specific Neurons: The Key to
 * Multilingual Capabilities in Large Language Models":
 * <ol>
 * <li>p(neuron, language) = activeCount / tokens; normalised p' = p / Σ_languages p; entropy
 * H = −Σ p' log p' (natural log; 0 log 0 = 0, and H = 0 for a neuron that never fired).</li>
 * <li>probabilityBar = kthvalue(all p of the whole model, round(n · filterRate)). A neuron is a
 * candidate when some language's p is strictly greater.</li>
 * <li>The round(neurons of the model · topRate) candidates of lowest entropy are selected.</li>
 * <li>activationBar = kthvalue(all p, round(n · activationBarRatio)); a selected neuron is
 * assigned to every language whose p is strictly greater.</li>
 * </ol>
 * Deviations, all deliberate: arithmetic is double, not float32; entropy ties are broken by
 * (layer, neuron) order where torch.topk leaves the order unspecified; and when fewer neurons are
 * candidates than the quota, only the candidates are selected, whereas topk fills the quota
 * with non-candidates of infinite entropy. With the default activationBarRatio = filterRate
 * those fillers exceed no bar and are assigned to no language, so the assignment is identical.
 */
public final class LapeSelector {
    private final LapeParameters parameters;

    public LapeSelector(LapeParameters parameters) {
        this.parameters = parameters;
    }

    public LapeParameters parameters() {
        return parameters;
    }

    public LapeResult select(ActivationProbabilities probs) {
        int languages = probs.languageCount();
        int layerCount = probs.layerCount();
        int[] offsets = new int[layerCount + 1];
        for (int i = 0; i < layerCount; i++) {
            offsets[i + 1] = Math.addExact(offsets[i], probs.neurons(i));
        }
        int totalNeurons = offsets[layerCount];
        if (totalNeurons == 0) {
            throw new IllegalArgumentException("a model without neurons");
        }
        double[] all = new double[Math.multiplyExact(totalNeurons, languages)];
        for (int i = 0; i < layerCount; i++) {
            System.arraycopy(probs.matrix(i), 0, all, offsets[i] * languages, probs.matrix(i).length);
        }
        double probabilityBar = Percentiles.kthSmallest(all, Percentiles.rank(all.length, parameters.filterRate()));
        // kthSmallest only reorders, so the same array serves the second percentile
        double activationBar = parameters.activationBarRatio() == parameters.filterRate() ? probabilityBar
                : Percentiles.kthSmallest(all, Percentiles.rank(all.length, parameters.activationBarRatio()));

        int[] candidateIds = new int[totalNeurons];
        double[] candidateEntropy = new double[totalNeurons];
        int candidates = 0;
        double[] meanEntropy = new double[layerCount];
        for (int i = 0; i < layerCount; i++) {
            double[] m = probs.matrix(i);
            int neurons = probs.neurons(i);
            double entropySum = 0;
            int fired = 0;
            for (int n = 0; n < neurons; n++) {
                int base = n * languages;
                double sum = 0;
                boolean candidate = false;
                for (int l = 0; l < languages; l++) {
                    double p = m[base + l];
                    sum += p;
                    candidate |= p > probabilityBar;
                }
                double entropy = 0;
                if (sum > 0) {
                    for (int l = 0; l < languages; l++) {
                        double p = m[base + l];
                        if (p > 0) {
                            double q = p / sum;
                            entropy -= q * Math.log(q);
                        }
                    }
                    entropySum += entropy;
                    fired++;
                }
                if (candidate) {
                    candidateIds[candidates] = offsets[i] + n;
                    candidateEntropy[candidates++] = entropy;
                }
            }
            meanEntropy[i] = fired == 0 ? 0 : entropySum / fired;
        }

        int quota = (int) Math.rint(totalNeurons * parameters.topRate());
        int[] chosen = lowestEntropy(candidateIds, candidateEntropy, candidates, quota);

        List<String> names = probs.languages();
        IntStream.Builder[][] assigned = new IntStream.Builder[layerCount][languages];
        for (IntStream.Builder[] row : assigned) {
            for (int l = 0; l < languages; l++) {
                row[l] = IntStream.builder();
            }
        }
        int layerIndex = 0;
        for (int id : chosen) { // ascending, so layers advance monotonically and ids come out sorted
            while (id >= offsets[layerIndex + 1]) {
                layerIndex++;
            }
            int neuron = id - offsets[layerIndex];
            double[] m = probs.matrix(layerIndex);
            for (int l = 0; l < languages; l++) {
                if (m[neuron * languages + l] > activationBar) {
                    assigned[layerIndex][l].add(neuron);
                }
            }
        }
        List<LapeResult.LayerSelection> layers = new ArrayList<>(layerCount);
        for (int i = 0; i < layerCount; i++) {
            Map<String, int[]> specific = new LinkedHashMap<>();
            for (int l = 0; l < languages; l++) {
                specific.put(names.get(l), assigned[i][l].build().toArray());
            }
            layers.add(new LapeResult.LayerSelection(probs.layer(i), probs.neurons(i), meanEntropy[i], specific));
        }
        return new LapeResult(probabilityBar, activationBar, candidates, chosen.length, List.copyOf(layers));
    }

    /** Ids of the {@code quota} lowest-entropy candidates, ties in id order, ascending by id. */
    private static int[] lowestEntropy(int[] ids, double[] entropy, int count, int quota) {
        if (count <= quota) {
            return Arrays.copyOf(ids, count);
        }
        if (quota == 0) {
            return new int[0];
        }
        double cut = Percentiles.kthSmallest(Arrays.copyOf(entropy, count), quota);
        int below = 0;
        for (int c = 0; c < count; c++) {
            if (entropy[c] < cut) {
                below++;
            }
        }
        int ties = quota - below;
        int[] chosen = new int[quota];
        int k = 0;
        for (int c = 0; c < count; c++) {
            if (entropy[c] < cut || (entropy[c] == cut && ties-- > 0)) {
                chosen[k++] = ids[c];
            }
        }
        return chosen;
    }
}
