package io.babelflow.trainer.corpus;

/**
 * A packaged source that is not on this machine (or matched no files); preparation goes on without it.
 * {@link #toString()} is the line to show a user.
 */
public record MissingSource(String languageId, String root, String debianPackage, String problem) {

    /** The command that provides the source. */
    public String installHint() {
        return "apt-get install " + debianPackage;
    }

    @Override
    public String toString() {
        return "language " + languageId + ": " + root + " " + problem + "; to include it: " + installHint();
    }
}
