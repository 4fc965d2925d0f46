package io.babelflow.trainer.corpus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Aligns a FAQ in plain text (as DocBook's text output, e.g. the Debian FAQ) with its translation by
 * section number. A question is a line at column 0 such as {@code 1.2. What is Debian GNU/Linux?}, with
 * a no-break space after the number, possibly wrapped onto further unindented lines (the table of
 * contents is indented, so it never matches); its answer is the indented text up to the next question or
 * chapter heading.
 */
final class BilingualFaq {
    /** DocBook's text output indents with spaces, and in the Chinese FAQ with no-break spaces too. */
    private static final String INDENT = " \t\u00a0";
    private static final Pattern ANSWER_INDENT = Pattern.compile("^[ \u00a0]{1,4}");
    private static final Pattern QUESTION = Pattern.compile("^(\\d+\\.\\d+(?:\\.\\d+)*)\\.[ \\u00a0](.*)$");

    /** One question answered in both languages; {@code chapter} is the first number of the section. */
    record Section(String number, String chapter, String englishQuestion, String englishAnswer,
            String chineseQuestion, String chineseAnswer) {

        /** The section as two instructions: translate the question, and answer the English question in Chinese. */
        String instructions() {
            return new TranslationPair(englishQuestion, chineseQuestion).instruction() + "\n"
                    + "Answer in Chinese: " + englishQuestion + "\n" + chineseAnswer + "\n";
        }
    }

    private record Text(String question, String answer) {
    }

    private BilingualFaq() {
    }

    /** Sections present in both texts, in the English text's order. */
    static List<Section> align(String english, String chinese) {
        Map<String, Text> zh = sections(chinese);
        List<Section> aligned = new ArrayList<>();
        sections(english).forEach((number, en) -> {
            Text t = zh.get(number);
            if (t != null && !en.answer().isEmpty() && !t.answer().isEmpty()) {
                aligned.add(new Section(number, number.substring(0, number.indexOf('.')), en.question(),
                        en.answer(), t.question(), t.answer()));
            }
        });
        return aligned;
    }

    /** The aligned sections grouped into one document per chapter, keyed by chapter number. */
    static Map<String, String> chapters(String english, String chinese) {
        return align(english, chinese).stream().collect(Collectors.groupingBy(Section::chapter, LinkedHashMap::new,
                Collectors.mapping(Section::instructions, Collectors.joining("\n"))));
    }

    private static Map<String, Text> sections(String text) {
        Map<String, Text> sections = new LinkedHashMap<>();
        String number = null;
        StringBuilder question = new StringBuilder();
        StringBuilder answer = new StringBuilder();
        boolean inQuestion = false;
        for (String line : text.split("\n", -1)) {
            Matcher m = QUESTION.matcher(line);
            boolean unindented = !line.isEmpty() && INDENT.indexOf(line.charAt(0)) < 0;
            if (m.matches()) {
                put(sections, number, question, answer);
                number = m.group(1);
                question.setLength(0);
                question.append(m.group(2).strip());
                answer.setLength(0);
                inQuestion = true;
            } else if (number != null && inQuestion && unindented) {
                appendWrapped(question, line.strip());
            } else if (number != null && unindented) {
                // a chapter heading or separator ends the section
                put(sections, number, question, answer);
                number = null;
            } else if (number != null) {
                inQuestion = false;
                answer.append(line.isBlank() ? "" : ANSWER_INDENT.matcher(line).replaceFirst("")).append('\n');
            }
        }
        put(sections, number, question, answer);
        return sections;
    }

    /** Re-joins a wrapped line: with a space in English, without one between Chinese characters. */
    private static void appendWrapped(StringBuilder text, String line) {
        boolean cjk = text.length() > 0 && text.charAt(text.length() - 1) > 0x2E7F && line.charAt(0) > 0x2E7F;
        text.append(cjk ? "" : " ").append(line);
    }

    private static void put(Map<String, Text> sections, String number, StringBuilder question, StringBuilder answer) {
        if (number != null) {
            sections.putIfAbsent(number, new Text(question.toString(), answer.toString().strip()));
        }
    }
}
