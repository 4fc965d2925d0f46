package io.babelflow.trainer.corpus;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prose of a man page: what {@code man} would show, without its layout. Requests that only lay out
 * ({@code .PP}, {@code .br}, {@code .if}, macro definitions) go; requests that carry text ({@code .SH},
 * {@code .B}, {@code .IR}, ...) keep their arguments; font, size and string escapes go; the common
 * character escapes become their characters. Not a roff interpreter: good enough for a language model to
 * read man pages as text instead of markup.
 */
final class RoffText {
    /** Requests whose arguments are text to keep. */
    private static final Set<String> TEXT_REQUESTS = Set.of("SH", "SS", "B", "I", "BI", "BR", "IB", "IR", "RB",
            "RI", "SM", "SB", "TP", "IP", "HP", "Nm", "Nd", "Sh", "Ss", "Dl", "It", "Fn", "Ar", "Fl", "Pa", "Xr");
    /** Requests that start a new paragraph or section: a blank line in the text. */
    private static final Set<String> BREAKS = Set.of("SH", "SS", "Sh", "Ss", "PP", "LP", "P", "Pp", "sp");
    private static final Map<String, String> CHARACTERS = Map.ofEntries(Map.entry("em", "—"), Map.entry("en", "–"),
            Map.entry("hy", "-"), Map.entry("mi", "-"), Map.entry("co", "©"), Map.entry("rg", "®"),
            Map.entry("bu", "•"), Map.entry("lq", "“"), Map.entry("rq", "”"), Map.entry("oq", "‘"),
            Map.entry("cq", "’"), Map.entry("aq", "'"), Map.entry("dq", "\""), Map.entry("ga", "`"),
            Map.entry("ha", "^"), Map.entry("ti", "~"), Map.entry("rs", "\\"), Map.entry("de", "°"),
            Map.entry("mu", "×"), Map.entry("<=", "≤"), Map.entry(">=", "≥"), Map.entry("->", "→"));
    private static final Pattern ESCAPE = Pattern.compile(
            "\\\\(?:\".*"                       // comment, to the end of the line
            + "|f(?:\\[[^]]*]|\\(..|.)"          // font
            + "|s[-+]?(?:\\d|\\(\\d\\d|\\[\\d+])"   // size
            + "|\\*(?:\\[[^]]*]|\\(..|.)"           // string
            + "|n(?:\\[[^]]*]|\\(..|.)"             // register
            + "|\\((..)|\\[([^]]*)]"                // named character, group 1 or 2
            + "|[-e\\\\&|^%:~ 0c.'`\"]|.)");        // the rest, one character each

    private RoffText() {
    }

    static String toText(String roff) {
        StringBuilder out = new StringBuilder(roff.length());
        boolean inDefinition = false;
        for (String line : roff.split("\n", -1)) {
            if (inDefinition) {
                inDefinition = !line.startsWith("..");
                continue;
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                String[] request = line.substring(1).trim().split("\\s+", 2);
                String name = request[0];
                if (name.equals("de") || name.equals("am") || name.equals("ig")) {
                    inDefinition = true;
                } else {
                    if (BREAKS.contains(name)) {
                        out.append('\n');
                    }
                    if (TEXT_REQUESTS.contains(name) && request.length == 2) {
                        out.append(inline(unquote(request[1])).stripTrailing()).append('\n');
                    }
                }
                continue;
            }
            out.append(inline(line).stripTrailing()).append('\n');
        }
        return out.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
    }

    private static String unquote(String args) {
        return args.replace("\"", "");
    }

    private static String inline(String text) {
        Matcher m = ESCAPE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replacement(m)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replacement(Matcher m) {
        String named = m.group(1) != null ? m.group(1) : m.group(2);
        if (named != null) {
            return CHARACTERS.getOrDefault(named, "");
        }
        String esc = m.group();
        return switch (esc.charAt(1)) {
            case '-' -> "-";
            case 'e', '\\' -> "\\";
            case ' ', '~', '0' -> " ";
            case '.' -> ".";
            case '\'' -> "'";
            case '`' -> "`";
            default -> "";
        };
    }
}
