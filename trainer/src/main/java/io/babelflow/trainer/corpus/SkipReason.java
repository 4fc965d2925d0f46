package io.babelflow.trainer.corpus;

/** Why a file of a source did not become training text. */
public enum SkipReason {
    /** Contains a NUL byte, or is not the binary format its source expects. */
    BINARY,
    /** Not valid UTF-8 (or not valid in a catalogue's declared charset). */
    UNDECODABLE,
    /** Could not be read: permissions, a broken link or archive, an I/O error. */
    UNREADABLE,
    /** No text left (an empty file, or a catalogue with no translations). */
    EMPTY,
    /** The same bytes as a file already taken for the language. */
    DUPLICATE
}
