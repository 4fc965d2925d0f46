package io.babelflow.trainer.corpus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prose of a man page: what {@code man} would show, without its layout. Requests that only lay out
 * ({@code .PP}, {@code .br}, {@code .if}, macro definitions) go; requests that carry text ({@code .SH},
 * {@code .B}, {@code .IR}, ...) keep their arguments; strings defined with {@code .ds} are expanded and
 * conditionals take their terminal branch, as {@code man} on a terminal does; font, size and motion
 * escapes go; the common character escapes become their characters. Not a roff interpreter: good enough
 * for a language model to read man pages as text instead of markup.
 */
final class RoffText {
    /** Requests whose arguments alternate between two fonts and are shown without spaces between them. */
    private static final Set<String> ALTERNATING_FONTS = Set.of("BI", "BR", "IB", "IR", "RB", "RI");
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
            "\\\\(?:\".*"                          // comment, to the end of the line
            + "|[hvwlLxoDZXbHSNR]'[^']*'"          // motions, lines, widths, glyph numbers: no text
            + "|f(?:\\[[^]]*]|\\(..|.)"             // font
            + "|s[-+]?(?:\\d|\\(\\d\\d|\\[\\d+])"    // size
            + "|\\*(?:\\[[^]]*]|\\(..|.)"           // undefined string
            + "|n(?:\\[[^]]*]|\\(..|.)"             // register
            + "|\\((..)|\\[([^]]*)]"                // named character, group 1 or 2
            + "|[-e\\\\&|^%:~ 0c.'`\"]|.)");        // the rest, one character each

    /** roff string references: {@code \*X}, {@code \*(XX}, {@code \*[NAME]}. */
    private static final Pattern STRING_REFERENCE = Pattern.compile("\\\\\\*(?:\\[([^]]*)]|\\((..)|(.))");

    /** Strings defined with {@code .ds}, e.g. the tex page's TeX logo; what {@code man} shows on a terminal. */
    private final Map<String, String> strings = new HashMap<>();
    private final StringBuilder out = new StringBuilder();
    private boolean inDefinition;
    private boolean skippingBlock;
    /** Whether the {@code .el} after the last {@code .ie} applies. */
    private boolean elseApplies;

    private RoffText() {
    }

    static String toText(String roff) {
        RoffText page = new RoffText();
        for (String line : roff.split("\n", -1)) {
            page.line(line);
        }
        return page.out.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
    }

    private void line(String line) {
        if (inDefinition) {
            inDefinition = !line.startsWith("..");
        } else if (skippingBlock) {
            skippingBlock = !line.contains("\\}");
        } else if (line.startsWith(".") || line.startsWith("'")) {
            request(line.substring(1).trim());
        } else {
            out.append(inline(line).stripTrailing()).append('\n');
        }
    }

    private void request(String request) {
        String[] parts = request.split("\\s+", 2);
        String name = parts[0];
        String args = parts.length == 2 ? parts[1] : "";
        switch (name) {
            case "de", "am", "ig" -> inDefinition = true;
            case "ds" -> define(args);
            case "if" -> condition(args, false);
            case "ie" -> condition(args, true);
            case "el" -> {
                branch(elseApplies, args);
                elseApplies = false;
            }
            default -> {
                if (BREAKS.contains(name)) {
                    out.append('\n');
                }
                if (TEXT_REQUESTS.contains(name) && !args.isEmpty()) {
                    out.append(inline(requestText(name, arguments(args))).stripTrailing()).append('\n');
                }
            }
        }
    }

    /**
     * Single-line conditionals on the output device: {@code n} (a terminal) holds and {@code t} (a
     * typesetter) does not, as for {@code man}; other conditions count as false.
     */
    private void condition(String args, boolean hasElse) {
        String[] parts = args.split("\\s+", 2);
        boolean holds = parts[0].equals("n");
        if (hasElse) {
            elseApplies = !holds;
        }
        branch(holds, parts.length == 2 ? parts[1] : "");
    }

    /** Runs or skips a conditional's body: the rest of the line, or a {@code \{ ... \}} block. */
    private void branch(boolean taken, String body) {
        boolean block = body.startsWith("\\{");
        if (!taken) {
            skippingBlock = block && !body.contains("\\}");
            return;
        }
        String rest = block ? body.substring(2).replaceFirst("^\\\\$", "").strip() : body;
        if (!rest.isEmpty()) {
            line(rest);
        }
    }

    private void define(String args) {
        String[] parts = args.split("\\s+", 2);
        String value = parts.length == 2 ? parts[1] : "";
        strings.put(parts[0], value.startsWith("\"") ? value.substring(1) : value);
    }

    /** Replaces string references by their definitions, which may refer to other strings. */
    private String expandStrings(String text, int depth) {
        if (depth > 4 || text.indexOf("\\*") < 0) {
            return text;
        }
        Matcher m = STRING_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = expandStrings(strings.getOrDefault(name, ""), depth + 1);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The text a request shows: alternating-font requests join their arguments, list items show only their tag. */
    private static String requestText(String name, List<String> args) {
        if (ALTERNATING_FONTS.contains(name)) {
            return String.join("", args);
        }
        if (name.equals("IP") || name.equals("HP")) {
            return args.get(0);
        }
        return String.join(" ", args);
    }

    /** A request's arguments: separated by blanks, or in double quotes where {@code ""} is a quote. */
    private static List<String> arguments(String args) {
        List<String> list = new ArrayList<>();
        int i = 0;
        while (i < args.length()) {
            if (args.charAt(i) == ' ' || args.charAt(i) == '\t') {
                i++;
            } else if (args.charAt(i) == '"') {
                StringBuilder arg = new StringBuilder();
                for (i++; i < args.length(); i++) {
                    if (args.charAt(i) != '"') {
                        arg.append(args.charAt(i));
                    } else if (i + 1 < args.length() && args.charAt(i + 1) == '"') {
                        arg.append('"');
                        i++;
                    } else {
                        i++;
                        break;
                    }
                }
                list.add(arg.toString());
            } else {
                int end = i;
                while (end < args.length() && args.charAt(end) != ' ' && args.charAt(end) != '\t') {
                    end++;
                }
                list.add(args.substring(i, end));
                i = end;
            }
        }
        return list.isEmpty() ? List.of("") : list;
    }

    private String inline(String text) {
        Matcher m = ESCAPE.matcher(expandStrings(text, 0));
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
