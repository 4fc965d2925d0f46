package io.babelflow.trainer.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MoCatalogTest {
    private static final String HEADER = "Project-Id-Version: demo 1.0\nContent-Type: text/plain; charset=%s\n";

    @Test
    void readsALittleEndianCatalogue() throws CharacterCodingException {
        byte[] mo = mo(ByteOrder.LITTLE_ENDIAN, StandardCharsets.UTF_8, List.of(
                "", HEADER.formatted("UTF-8"),
                "File", "文件",
                "Open %s", "打开 %s",
                "menu\u0004Quit", "退出",
                "%d file\0%d files", "%d 个文件",
                "Untranslated", "",
                "OK", "OK"));
        assertEquals(List.of(
                new MoCatalog.Entry("File", "文件"),
                new MoCatalog.Entry("Open %s", "打开 %s"),
                new MoCatalog.Entry("Quit", "退出"),
                new MoCatalog.Entry("%d file", "%d 个文件")), MoCatalog.parse(mo));
    }

    @Test
    void readsABigEndianCatalogueInItsDeclaredCharset() throws CharacterCodingException {
        Charset gbk = Charset.forName("GBK");
        byte[] mo = mo(ByteOrder.BIG_ENDIAN, gbk, List.of("", HEADER.formatted("GBK"), "Save", "保存"));
        assertEquals(List.of(new MoCatalog.Entry("Save", "保存")), MoCatalog.parse(mo));
    }

    @Test
    void rejectsWhatIsNotACatalogue() {
        assertThrows(IllegalArgumentException.class, () -> MoCatalog.parse("not a catalogue at all".getBytes()));
        byte[] truncated = mo(ByteOrder.LITTLE_ENDIAN, StandardCharsets.UTF_8, List.of("File", "文件"));
        assertThrows(IllegalArgumentException.class,
                () -> MoCatalog.parse(java.util.Arrays.copyOf(truncated, truncated.length - 4)));
    }

    @Test
    void rejectsStringsInvalidInTheCharset() {
        byte[] mo = mo(ByteOrder.LITTLE_ENDIAN, StandardCharsets.ISO_8859_1, List.of(
                "", HEADER.formatted("UTF-8"), "Caf\u00e9", "咖啡馆"));
        assertThrows(CharacterCodingException.class, () -> MoCatalog.parse(mo));
    }

    /**
     * Builds a .mo file as msgfmt lays it out: header, original-string table, translation table, then the
     * NUL-terminated strings. {@code pairs} alternates msgid and msgstr.
     */
    static byte[] mo(ByteOrder order, Charset charset, List<String> pairs) {
        int n = pairs.size() / 2;
        int originals = 28;
        int translations = originals + 8 * n;
        int strings = translations + 8 * n;
        ByteBuffer tables = ByteBuffer.allocate(strings).order(order);
        tables.putInt(MoCatalog.MAGIC).putInt(0).putInt(n).putInt(originals).putInt(translations).putInt(0).putInt(0);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int table = 0; table < 2; table++) {
            for (int i = 0; i < n; i++) {
                byte[] s = pairs.get(2 * i + table).getBytes(charset);
                tables.putInt((table == 0 ? originals : translations) + 8 * i, s.length);
                tables.putInt((table == 0 ? originals : translations) + 8 * i + 4, strings + data.size());
                data.writeBytes(s);
                data.write(0);
            }
        }
        ByteArrayOutputStream mo = new ByteArrayOutputStream();
        mo.writeBytes(tables.array());
        mo.writeBytes(data.toByteArray());
        return mo.toByteArray();
    }
}
