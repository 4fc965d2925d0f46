package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The text transforms behind the roff, FAQ and gettext source formats. */
class TextFormatsTest {

    @Test
    void roffKeepsTheProseAndDropsTheMarkup() {
        String page = String.join("\n",
                ".\\\" generated page",
                ".de Sh \\\" subsection",
                ".PP",
                "..",
                ".TH LS 1 \"2024\" \"demo\"",
                ".SH NAME",
                "ls \\- list directory contents",
                ".SH \"总览 SYNOPSIS\"",
                ".B ls",
                "[\\fIOPTION\\fR]... \\fB\\-a\\fP, \\(lqall\\(rq \\e\\& done \\\" trailing comment",
                ".PP",
                ".br",
                "显示目录内容。",
                ".IP \"\\h'-04'\\(bu\\h'+03'\" 4",
                ".BR ls (1),",
                ".I \"a \"\"quoted\"\" word\" here");
        assertEquals("NAME\nls - list directory contents\n\n总览 SYNOPSIS\nls\n"
                + "[OPTION]... -a, “all” \\ done\n\n显示目录内容。\n•\nls(1),\na \"quoted\" word here\n",
                RoffText.toText(page));
    }

    @Test
    void roffStringsAndTerminalConditionalsAreExpandedAsManWould() {
        String page = String.join("\n",
                ".if t .ds TX \\fRT\\h'-0.1667m'E\\fP",
                ".if n .ds TX TeX",
                ".ie t .ds BX typeset",
                ".el .ds BX \"Bib\\*(TX",
                ".ie n .ds Q \\(lq",
                ".el .ds Q \"",
                "此版本的 \\*(TX 完整的文档，见 \\*Q\\*(BX\\*[missing].",
                ".ie n \\{\\",
                "on a terminal",
                ".\\}",
                ".el \\{\\",
                "typeset",
                ".\\}",
                ".if t \\{ typeset too \\}",
                "end");
        assertEquals("此版本的 TeX 完整的文档，见 “BibTeX.\non a terminal\nend\n", RoffText.toText(page));
    }

    @Test
    void faqSectionsAlignByNumberAcrossNoBreakSpacesAndWrappedQuestions() {
        String nbsp = "\u00a0";
        String english = String.join("\n",
                "Table of Contents", "", "1. Basics", "    1.1. What is it?", "",
                "Chapter 1. Basics", "",
                "1.1." + nbsp + "What is it?", "",
                "    It is a system.", "", "    It is free.", "",
                "1.2." + nbsp + "How do I get it, and where", "from?", "",
                "    From a mirror.", "",
                "1.3." + nbsp + "Only in English?", "", "    Yes.", "",
                "Chapter 2. More", "");
        String chinese = String.join("\n",
                "目录", "", "1. 基础", "    1.1. 它是什么？", "",
                "第 1 章 基础", "",
                "1.1." + nbsp + "它是什么？", "",
                nbsp + nbsp + nbsp + " 它是一个系统。", "", "    它是自由的。", "",
                "1.2." + nbsp + "怎样获得它，从哪", "里获得？", "",
                "    从镜像获得。", "");
        List<BilingualFaq.Section> sections = BilingualFaq.align(english, chinese);
        assertEquals(List.of(
                new BilingualFaq.Section("1.1", "1", "What is it?", "It is a system.\n\nIt is free.",
                        "它是什么？", "它是一个系统。\n\n它是自由的。"),
                new BilingualFaq.Section("1.2", "1", "How do I get it, and where from?", "From a mirror.",
                        "怎样获得它，从哪里获得？", "从镜像获得。")), sections);
        String chapter = BilingualFaq.chapters(english, chinese).get("1");
        assertTrue(chapter.contains("Answer in Chinese: What is it?\n它是一个系统。"), chapter);
    }

    @Test
    void translationPairsReadTheSameEveryTime() {
        TranslationPair pair = new TranslationPair("Open file", "打开文件");
        assertEquals("English: Open file\nChinese: 打开文件\n", pair.parallel());
        assertEquals(pair.instruction(), new TranslationPair("Open file", "打开文件").instruction());
        assertTrue(pair.instruction().contains("Open file") && pair.instruction().contains("打开文件"));
    }

    @Test
    void globsMatchAtTheTopLevelToo() {
        Glob glob = new Glob(List.of("**/*.py"), List.of("test/**"));
        assertTrue(glob.matches("os.py"));
        assertTrue(glob.matches("json/decoder.py"));
        assertTrue(!glob.matches("test/test_os.py"));
        assertTrue(!glob.matches("README.txt"));
    }
}
