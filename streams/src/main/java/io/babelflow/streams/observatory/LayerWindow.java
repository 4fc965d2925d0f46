package io.babelflow.streams.observatory;

import java.util.Map;

/**
 * A layer's newest statistics window as counts: language-specific neurons per language,
 * transferring neurons per new language, and for each pair of languages "a|b" (a &lt; b) the
 * neurons specific to both. Counts, not ids: a 7B-shaped layer's ids would make every overlap
 * query read megabytes.
 */
public record LayerWindow(long windowEnd, int neurons, Map<String, Integer> specific,
        Map<String, Integer> transferring, Map<String, Integer> overlap) {
}
