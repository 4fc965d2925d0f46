package io.babelflow.trainer.probe;

import java.nio.charset.StandardCharsets;

/**
 * A working-language probe: a prompt in a new language whose correct next identifier
 * ({@code answerNew}) differs from the equivalent identifier in the primary language
 * ({@code answerPrimary}) already at the first byte (the logit lens drops pairs that do not).
 */
public record ProbePrompt(String prompt, String answerNew, String answerPrimary) {

    public byte[] promptBytes() {
        return prompt.getBytes(StandardCharsets.UTF_8);
    }
}
