package io.babelflow.trainer.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a source's files become training text; named in a manifest by the lower-case spelling. */
public enum SourceFormat {
    /** The file itself, UTF-8. */
    @JsonProperty("text") TEXT,
    /** A man page: roff requests and font escapes removed, the prose kept. */
    @JsonProperty("roff") ROFF,
    /** Terminal text such as fortune files: ANSI colour escapes removed. */
    @JsonProperty("ansi-text") ANSI_TEXT,
    /** A gettext .mo catalogue as "English: msgid / Chinese: msgstr" lines. */
    @JsonProperty("gettext-parallel") GETTEXT_PARALLEL,
    /** A gettext .mo catalogue as translation instructions made from templates. */
    @JsonProperty("gettext-instructions") GETTEXT_INSTRUCTIONS,
    /** A plain-text FAQ and its translation (the source's {@code translation}), aligned into instructions. */
    @JsonProperty("faq-instructions") FAQ_INSTRUCTIONS;

    /** Whether the raw file is binary by nature, so the NUL-byte test for binary files does not apply. */
    boolean binaryInput() {
        return this == GETTEXT_PARALLEL || this == GETTEXT_INSTRUCTIONS;
    }
}
