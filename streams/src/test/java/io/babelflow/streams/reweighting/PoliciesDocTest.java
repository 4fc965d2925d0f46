package io.babelflow.streams.reweighting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/policies.md's parameter table says what the registry declares, row for row. */
class PoliciesDocTest {
    private static final Path DOC = Path.of("..", "docs", "policies.md");
    private static final String EVERY_POLICY = "every policy";

    @Test
    void theDocumentedParametersAreTheDeclaredOnes() throws IOException {
        List<List<String>> expected = new ArrayList<>();
        Policies.Guards.PARAMS.forEach(p -> expected.add(row(EVERY_POLICY, p)));
        for (Policies.Spec spec : Policies.ALL) {
            spec.params().forEach(p -> expected.add(row("`" + spec.name() + "`", p)));
        }
        List<List<String>> documented = parameterTable(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        assertEquals(render(expected), render(documented),
                "docs/policies.md's '## Parameters' table must list exactly the declared parameters (Policies)");
    }

    @Test
    void everyRegisteredNameHasItsParameters() {
        assertEquals(List.of("static", "schedule", "exp3", "excess-loss", "babel-tower"), Policies.names());
        assertEquals(0.1, Policies.Exp3.REWARD_SCALE.fallback());
        assertEquals("(0, 1000000]", Policies.Exp3.REWARD_SCALE.shownRange());
        assertEquals("steps \\| tokens", Policies.Scheduled.BY.shownRange());
        assertEquals("linear", Policies.Scheduled.CURVE.shownDefault());
    }

    private static List<String> row(String policy, PolicyParam p) {
        return List.of(policy, "`" + p.key() + "`", p.shownDefault(), p.shownRange(), p.doc());
    }

    /** The rows (header and separator left out) of the first table after the "## Parameters" heading. */
    private static List<List<String>> parameterTable(List<String> lines) {
        int at = lines.indexOf("## Parameters");
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines.subList(at + 1, lines.size())) {
            if (line.startsWith("|")) {
                inTable = true;
                rows.add(Arrays.stream(line.substring(1, line.length() - 1).split("(?<!\\\\)\\|"))
                        .map(String::trim).toList());
            } else if (inTable) {
                break;
            }
        }
        return rows.subList(Math.min(2, rows.size()), rows.size());
    }

    private static String render(List<List<String>> rows) {
        StringBuilder out = new StringBuilder();
        rows.forEach(r -> out.append("| ").append(String.join(" | ", r)).append(" |\n"));
        return out.toString();
    }
}
