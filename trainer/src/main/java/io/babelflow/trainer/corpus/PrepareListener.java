package io.babelflow.trainer.corpus;

import io.babelflow.events.LanguageRole;
import io.babelflow.trainer.corpus.PreparedCorpus.LanguageInfo;

/**
 * Progress of {@link CorpusPreparer#prepare}, for a CLI to print. Calls come from the preparing thread, in
 * order; every method has a no-op default so a caller implements only what it shows.
 */
public interface PrepareListener {
    /** Shows nothing. */
    PrepareListener SILENT = new PrepareListener() {
    };

    /** A packaged source is not installed (or matched nothing); preparation goes on without it. */
    default void sourceMissing(MissingSource missing) {
    }

    /** A language had no available source at all and is left out of the corpus. */
    default void languageDropped(String languageId, LanguageRole role) {
    }

    /** A language's sources were listed: {@code files} candidates, to be read in the seed's order. */
    default void languageStarted(String languageId, LanguageRole role, int files) {
    }

    /** A file was passed over; {@code detail} says what was wrong. */
    default void fileSkipped(String languageId, String key, SkipReason reason, String detail) {
    }

    /** A language's shards are written. */
    default void languageFinished(LanguageInfo info) {
    }

    /** Something worth a look that is not an error, such as a held-out split too small for probe windows. */
    default void warning(String message) {
    }
}
