package io.babelflow.streams.specialization.lape;

/**
 * How much of a new language X's specific processing runs on the primary language's neurons, measured
 * outside LAPE's quota (docs/signals.md, "Transfer measure").
 *
 * <p>The Babel Tower paper (Chen et al. 2024) measures |P ∩ C| / |C| with P the primary language's and
 * C the new language's LAPE neurons. Taken inside one LAPE selection that ratio is an artefact of the
 * quota: a neuron X shares with the primary has a higher entropy than one X has alone, so X's own
 * neurons push the shared ones out and the ratio falls to 0 once X has about a quota of its own,
 * however many neurons are truly shared. Here C and P are every neuron X (resp. the primary) activates
 * above LAPE's activation bar, each weighted by how far above the bar it is, so a neuron that crosses
 * the bar by noise weighs next to nothing, and the intersection is the weighted one (min):
 * <pre>
 *   e_L(n) = max(0, p(n, L) − bar)
 *   T(X)   = Σ_n min(e_X(n), e_P(n)) / Σ_n e_X(n)      over neurons n that are not general
 * </pre>
 * With 0/1 weights this is exactly |P ∩ C| / |C|; with weights it is the weighted containment of X's
 * above-bar activation in the primary's (a neuron X uses twice as hard as the primary counts half). General neurons, above the bar for every language of
 * a run with three or more languages, serve all languages alike and are left out (with two languages a
 * shared neuron cannot be told from a general one, so none is left out). T is NaN when X activates no
 * neuron above the bar.
 */
public final class TransferMeasure {
    private TransferMeasure() {
    }

    /**
     * @param matrix    activation probabilities of one layer, {@code [neuron * languages + language]}
     * @param languages number of languages (columns)
     * @param primary   column of the primary language
     * @param x         column of the new language
     * @param bar       LAPE's activation bar
     */
    public static double ratio(double[] matrix, int languages, int primary, int x, double bar) {
        return ratio(new double[][] {matrix}, languages, primary, x, bar);
    }

    /** The ratio over several layers (the whole model): sums are added before dividing. */
    public static double ratio(double[][] matrices, int languages, int primary, int x, double bar) {
        double shared = 0;
        double own = 0;
        for (double[] m : matrices) {
            double[] s = sums(m, languages, primary, x, bar);
            shared += s[0];
            own += s[1];
        }
        return own > 0 ? shared / own : Double.NaN;
    }

    /** {Σ min(e_X, e_P), Σ e_X} over the non-general neurons of one layer. */
    static double[] sums(double[] matrix, int languages, int primary, int x, double bar) {
        if (matrix.length % languages != 0) {
            throw new IllegalArgumentException("matrix of " + matrix.length + " values is not neurons × " + languages);
        }
        double shared = 0;
        double total = 0;
        for (int base = 0; base < matrix.length; base += languages) {
            double ex = matrix[base + x] - bar;
            if (ex <= 0 || (languages >= 3 && general(matrix, base, languages, bar))) {
                continue;
            }
            shared += Math.min(ex, Math.max(0, matrix[base + primary] - bar));
            total += ex;
        }
        return new double[] {shared, total};
    }

    private static boolean general(double[] matrix, int base, int languages, double bar) {
        for (int l = 0; l < languages; l++) {
            if (matrix[base + l] <= bar) {
                return false;
            }
        }
        return true;
    }
}
