package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.babelflow.schemas.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProbePromptsTest {

    @Test
    void everyShippedFileLoadsWithAtLeastThirtyDistinguishablePrompts() {
        for (String pair : ProbePrompts.SHIPPED) {
            String[] languages = pair.split("-");
            List<ProbePrompts.Prompt> prompts = ProbePrompts.load(languages[0], languages[1]);
            assertTrue(prompts.size() >= 30, pair + " has " + prompts.size() + " prompts");
            Set<ProbePrompts.Prompt> distinct = new HashSet<>(prompts);
            assertEquals(prompts.size(), distinct.size(), pair + " repeats a prompt");
            for (ProbePrompts.Prompt p : prompts) {
                assertNotEquals(p.answerNew().getBytes(StandardCharsets.UTF_8)[0],
                        p.answerPrimary().getBytes(StandardCharsets.UTF_8)[0], pair + ": " + p);
                assertTrue(!p.prompt().isEmpty(), pair + ": " + p);
            }
        }
    }

    @Test
    void everyPromptFileInResourcesIsListedAsShipped() throws IOException, URISyntaxException {
        Path dir = Path.of(ProbePrompts.class.getResource("/io/babelflow/trainer/probes").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.copyOf(ProbePrompts.SHIPPED),
                    Set.copyOf(files.map(f -> f.getFileName().toString().replace(".tsv", "")).toList()));
        }
    }

    @Test
    void fieldsAreUnescaped() {
        List<ProbePrompts.Prompt> prompts = ProbePrompts.parse("t.tsv", ProbePrompts.HEADER + "\n"
                + "func f() {\\n\\tfmt.\tPrintln\tprint\n"
                + "\n"
                + "path := \"C:\\\\\" + strings.\tJoin\tjoin\n");
        assertEquals(List.of(new ProbePrompts.Prompt("func f() {\n\tfmt.", "Println", "print"),
                new ProbePrompts.Prompt("path := \"C:\\\" + strings.", "Join", "join")), prompts);
    }

    @Test
    void badLinesAreReportedByNumber() {
        String tsv = "prompt\tanswer\n"
                + "ok := \tfalse\tFalse\n"
                + "strings.\tSplit\n"
                + "fmt.\tprintln\tprint\n"
                + "x := \"\\q\"\tnil\tNone\n"
                + "\tnil\tNone\n";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ProbePrompts.parse("bad.tsv", tsv));
        String m = e.getMessage();
        assertTrue(m.contains("bad.tsv"), m);
        assertTrue(m.contains("line 1: expected the header"), m);
        assertTrue(m.contains("line 3: 2 fields, expected 3"), m);
        assertTrue(m.contains("line 4: answers 'println' and 'print' start with the same byte"), m);
        assertTrue(m.contains("line 5: unknown escape \\q"), m);
        assertTrue(m.contains("line 6: a field is empty"), m);
        assertTrue(!m.contains("line 2"), m);
    }

    @Test
    void unknownPairIsInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ProbePrompts.load("python", "cobol"));
        assertTrue(e.getMessage().contains("python-go"), e.getMessage());
    }
}
