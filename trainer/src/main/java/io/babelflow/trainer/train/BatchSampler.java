package io.babelflow.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.babelflow.trainer.corpus.PreparedCorpus;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Draws training batches: per sequence a language from the step's mixture, then a uniformly
 * placed window of {@code contextLength + 1} bytes from that language's train.bin.
 */
public final class BatchSampler {
    private final List<ByteBuffer> train;
    private final int contextLength;
    private final int batchSize;
    private final MixtureSampler sampler;

    /** Every language's train.bin must hold at least {@code contextLength + 1} bytes (the trainer checks). */
    public BatchSampler(PreparedCorpus corpus, List<String> languages, int contextLength, int batchSize,
            MixtureSampler sampler) {
        this.train = languages.stream().map(corpus::train).toList();
        this.contextLength = contextLength;
        this.batchSize = batchSize;
        this.sampler = sampler;
    }

    public Batch draw(NDManager manager, Mixture mixture) {
        int window = contextLength + 1;
        int languageCount = train.size();
        long[] bytes = new long[batchSize * window];
        int[] languages = new int[batchSize];
        float[] oneHot = new float[batchSize * languageCount];
        long[] tokens = new long[languageCount];
        byte[] buffer = new byte[window];
        for (int b = 0; b < batchSize; b++) {
            int language = sampler.sampleLanguage(mixture);
            ByteBuffer text = train.get(language);
            int offset = (int) sampler.random().nextLong(text.capacity() - window + 1);
            text.get(offset, buffer);
            for (int i = 0; i < window; i++) {
                bytes[b * window + i] = buffer[i] & 0xFF;
            }
            languages[b] = language;
            oneHot[b * languageCount + language] = 1f;
            tokens[language] += contextLength;
        }
        var all = manager.create(bytes, new Shape(batchSize, window));
        return new Batch(all.get(":, :-1"), all.get(":, 1:"), manager.create(oneHot, new Shape(batchSize, languageCount)),
                languages, tokens);
    }
}
