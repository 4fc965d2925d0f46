package io.babelflow.trainer.train;

import ai.djl.ndarray.NDArray;

/**
 * One training batch of byte windows.
 *
 * @param input             tokens [B, T] int64
 * @param target            next tokens [B, T] int64
 * @param languageOneHot    [B, L] float32, row b is the one-hot of sequence b's language
 * @param languages         language index of each sequence
 * @param tokensPerLanguage predicted tokens per language (sequences of that language x T)
 */
public record Batch(NDArray input, NDArray target, NDArray languageOneHot, int[] languages, long[] tokensPerLanguage) {

    public long tokens() {
        return input.getShape().size();
    }
}
