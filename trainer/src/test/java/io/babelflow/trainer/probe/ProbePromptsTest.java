package io.babelflow.trainer.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbePromptsTest {
    @Test
    void parsesEscapesAndSkipsHeaderCommentsAndIndistinguishableAnswers() throws Exception {
        String tsv = "prompt\tanswer_in_new_language\tequivalent_answer_in_primary\n"
                + "# comment\n"
                + "\n"
                + "if x {\\n\\treturn \\\\ \\q\tnil\tNone\n"
                + "x := \tlen\tlen\n";
        List<ProbePrompt> prompts = ProbePrompts.parse(new StringReader(tsv), "t.tsv");
        assertEquals(1, prompts.size());
        assertEquals("if x {\n\treturn \\ \\q", prompts.get(0).prompt());
        assertEquals('n', prompts.get(0).answerFirstByte());
        assertEquals('N', prompts.get(0).primaryAnswerFirstByte());
    }

    @Test
    void aRowWithoutThreeFieldsNamesItsLine() {
        var e = assertThrows(InvalidInputException.class,
                () -> ProbePrompts.parse(new StringReader("a\tb\tc\nonly\ttwo\n"), "go.tsv"));
        assertTrue(e.getMessage().startsWith("go.tsv:2:"), e.getMessage());
    }

    @Test
    void loadsThePairFilesOfARunFromAFolder() throws Exception {
        Path dir = Path.of(getClass().getResource("/probes/python-go.tsv").toURI()).getParent();
        Map<String, List<ProbePrompt>> prompts = ProbePrompts.forRun("python", List.of("go", "cpp"), dir);
        assertEquals(List.of("go"), List.copyOf(prompts.keySet()), "cpp has no file, so no probe");
        assertEquals(5, prompts.get("go").size());
        assertEquals("func main() {\n\tfmt.", prompts.get("go").get(0).prompt());
    }
}
