package io.babelflow.producers.loadgen;

import io.babelflow.schemas.InvalidInputException;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The shape of synthetic trainer traffic: model (layers x FFN width), languages, data-parallel
 * ranks, pace and length. 7B-shaped: 32 layers x 11008 neurons x 8 languages.
 */
public record LoadShape(String runId, int layers, int neurons, int languages, int ranks, double stepsPerSecond,
        long steps, int statsEvery, long seed) {

    public LoadShape {
        require(layers > 0, "--layers must be > 0, got " + layers);
        require(neurons > 0, "--neurons must be > 0, got " + neurons);
        require(languages >= 2, "--languages must be >= 2 (a primary and a new one), got " + languages);
        require(ranks > 0, "--ranks must be > 0, got " + ranks);
        require(stepsPerSecond >= 0 && Double.isFinite(stepsPerSecond), "--steps-per-second must be >= 0 (0 = as fast as possible)");
        require(steps > 0, "--steps must be > 0, got " + steps);
        require(statsEvery > 0, "--stats-every must be > 0, got " + statsEvery);
        long bytes = 2L * languages * neurons * Float.BYTES;
        require(bytes < io.babelflow.schemas.Topics.ACTIVATION_MAX_MESSAGE_BYTES - 64 * 1024,
                "one layer of " + languages + " languages x " + neurons + " neurons is " + bytes
                        + " bytes, more than the activation topic's 8 MiB");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }

    /** Language ids: python (primary) first, then new languages. */
    public List<String> languageIds() {
        List<String> known = List.of("python", "go", "cpp", "rust", "ruby", "java", "perl", "php", "csharp", "js",
                "ts", "kotlin", "swift", "scala", "haskell", "lua");
        return IntStream.range(0, languages).mapToObj(i -> i < known.size() ? known.get(i) : "lang" + i).toList();
    }

    /** Payload bytes of one ActivationStats record (both packed matrices). */
    public long activationPayloadBytes() {
        return 2L * languages * neurons * Float.BYTES;
    }
}
