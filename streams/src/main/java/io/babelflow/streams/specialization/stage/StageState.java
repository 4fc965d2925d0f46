package io.babelflow.streams.specialization.stage;

import io.babelflow.events.Stage;

/**
 * Where a new language is in the {@link StageDetector}: its stage (null before the first
 * observation) and how many observations in a row have met the condition for the next one.
 */
public record StageState(Stage stage, int streak) {
    public static final StageState INITIAL = new StageState(null, 0);
}
