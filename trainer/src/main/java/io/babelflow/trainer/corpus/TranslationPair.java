package io.babelflow.trainer.corpus;

import java.util.List;

/**
 * An English text and its Chinese translation, written out as aligned (parallel) text or as one of a few
 * instruction templates. The template is picked by a hash of the English text, not by the seed, so a
 * pair reads the same in every split of every run.
 */
record TranslationPair(String english, String chinese) {
    /** Instruction templates: %1$s is the English, %2$s the Chinese text. Both directions, both prompt languages. */
    private static final List<String> INSTRUCTIONS = List.of(
            "Translate to Chinese: %1$s\n%2$s",
            "Translate to English: %2$s\n%1$s",
            "How do you say \"%1$s\" in Chinese?\n%2$s",
            "把下面的文字翻译成中文：%1$s\n%2$s",
            "把下面的文字翻译成英文：%2$s\n%1$s");

    /** The format of the parallel language, and of the en-zh probe prompts. */
    String parallel() {
        return "English: " + english + "\nChinese: " + chinese + "\n";
    }

    String instruction() {
        int pick = (int) Long.remainderUnsigned(SeededHash.bits(0, "template", english), INSTRUCTIONS.size());
        return String.format(INSTRUCTIONS.get(pick), english, chinese) + "\n";
    }
}
