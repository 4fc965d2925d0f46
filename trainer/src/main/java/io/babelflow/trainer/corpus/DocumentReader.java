package io.babelflow.trainer.corpus;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a source file into training documents according to its {@link SourceFormat}: usually one
 * document, one per chapter for a FAQ. A file that cannot become text throws {@link Skipped}.
 */
final class DocumentReader {
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]");

    /** A unit of training text; {@code key} decides its split. */
    record Document(String key, byte[] text) {
    }

    /** The file was passed over, and why. */
    static final class Skipped extends Exception {
        private final SkipReason reason;

        Skipped(SkipReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        SkipReason reason() {
            return reason;
        }
    }

    private DocumentReader() {
    }

    static List<Document> read(SourceFile file) throws Skipped {
        byte[] raw;
        try {
            raw = file.read();
        } catch (IOException e) {
            throw new Skipped(SkipReason.UNREADABLE, e.toString());
        }
        if (!file.format().binaryInput() && Utf8Text.looksBinary(raw)) {
            throw new Skipped(SkipReason.BINARY, "contains NUL bytes");
        }
        List<Document> documents = switch (file.format()) {
            case TEXT -> List.of(new Document(file.key(), raw));
            case ROFF -> List.of(text(file.key(), RoffText.toText(decode(raw))));
            case ANSI_TEXT -> List.of(text(file.key(), ANSI_ESCAPE.matcher(decode(raw)).replaceAll("")));
            case GETTEXT_PARALLEL -> List.of(text(file.key(), catalogue(raw, TranslationPair::parallel)));
            case GETTEXT_INSTRUCTIONS -> List.of(text(file.key(), catalogue(raw, p -> p.instruction() + "\n")));
            case FAQ_INSTRUCTIONS -> faq(file, raw);
        };
        for (Document d : documents) {
            if (!Utf8Text.isValid(d.text())) {
                throw new Skipped(SkipReason.UNDECODABLE, "not valid UTF-8");
            }
        }
        if (documents.stream().allMatch(d -> d.text().length == 0 || isBlank(d.text()))) {
            throw new Skipped(SkipReason.EMPTY, "no text");
        }
        return documents;
    }

    private static String decode(byte[] raw) throws Skipped {
        try {
            return Utf8Text.decode(raw);
        } catch (CharacterCodingException e) {
            throw new Skipped(SkipReason.UNDECODABLE, "not valid UTF-8");
        }
    }

    private static Document text(String key, String text) {
        return new Document(key, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String catalogue(byte[] mo, java.util.function.Function<TranslationPair, String> format)
            throws Skipped {
        try {
            StringBuilder out = new StringBuilder();
            for (MoCatalog.Entry e : MoCatalog.parse(mo)) {
                out.append(format.apply(new TranslationPair(e.msgid(), e.msgstr())));
            }
            return out.toString();
        } catch (CharacterCodingException e) {
            throw new Skipped(SkipReason.UNDECODABLE, "a message is not valid in the catalogue's charset");
        } catch (IllegalArgumentException e) {
            throw new Skipped(SkipReason.BINARY, "not a gettext catalogue: " + e.getMessage());
        }
    }

    private static List<Document> faq(SourceFile file, byte[] english) throws Skipped {
        byte[] chinese;
        try {
            chinese = file.readTranslation();
        } catch (IOException e) {
            throw new Skipped(SkipReason.UNREADABLE, "translation: " + e);
        }
        List<Document> chapters = new ArrayList<>();
        for (Map.Entry<String, String> c : BilingualFaq.chapters(decode(english), decode(chinese)).entrySet()) {
            chapters.add(text(file.key() + "#" + c.getKey(), c.getValue()));
        }
        return chapters;
    }

    private static boolean isBlank(byte[] text) {
        for (byte b : text) {
            if (b != ' ' && b != '\n' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
