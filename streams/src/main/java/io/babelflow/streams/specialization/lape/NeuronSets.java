package io.babelflow.streams.specialization.lape;

import java.util.Map;

/** Set arithmetic on sorted neuron-id arrays: transferring neurons and Jaccard overlap. */
public final class NeuronSets {
    private NeuronSets() {
    }

    /** Ids in both sorted arrays, sorted. */
    public static int[] intersection(int[] a, int[] b) {
        int[] out = new int[Math.min(a.length, b.length)];
        int n = 0;
        for (int i = 0, j = 0; i < a.length && j < b.length; ) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                out[n++] = a[i];
                i++;
                j++;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** |a ∩ b| / |a ∪ b|; two empty sets are identical (1.0). */
    public static double jaccard(int[] a, int[] b) {
        int both = intersection(a, b).length;
        int union = a.length + b.length - both;
        return union == 0 ? 1.0 : (double) both / union;
    }

    /**
     * Jaccard overlap of two model-wide sets given per layer (a neuron is a (layer, id) pair); a
     * layer absent from one side counts as empty there.
     */
    public static double jaccard(Map<Integer, int[]> a, Map<Integer, int[]> b) {
        long both = 0;
        long union = 0;
        for (Map.Entry<Integer, int[]> e : a.entrySet()) {
            int[] other = b.getOrDefault(e.getKey(), new int[0]);
            int common = intersection(e.getValue(), other).length;
            both += common;
            union += e.getValue().length + other.length - common;
        }
        for (Map.Entry<Integer, int[]> e : b.entrySet()) {
            if (!a.containsKey(e.getKey())) {
                union += e.getValue().length;
            }
        }
        return union == 0 ? 1.0 : (double) both / union;
    }
}
