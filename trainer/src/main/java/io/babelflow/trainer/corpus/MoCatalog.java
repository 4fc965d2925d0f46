package io.babelflow.trainer.corpus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader of GNU gettext's binary .mo catalogues. Layout (either byte order, told by the magic number):
 * magic, revision, string count N, offset of the original-string table, offset of the translation table,
 * then per table N (length, offset) pairs pointing at NUL-terminated strings. Entry 0 with an empty msgid
 * is the header, whose Content-Type names the charset of every other string.
 */
final class MoCatalog {
    static final int MAGIC = 0x950412de;
    private static final Pattern CHARSET = Pattern.compile("charset=([^\\s;]+)", Pattern.CASE_INSENSITIVE);
    /** gettext separates a msgctxt from its msgid with EOT. */
    private static final char CONTEXT_SEPARATOR = '\u0004';

    /** One translated message: the original (English) text and its translation. */
    record Entry(String msgid, String msgstr) {
    }

    private MoCatalog() {
    }

    /**
     * The catalogue's translated messages in file order (msgids sorted, as msgfmt writes them). Plural
     * forms contribute their singular; contexts are dropped; untranslated or identical entries are left out.
     *
     * @throws CharacterCodingException if a string is not valid in the catalogue's charset
     * @throws IllegalArgumentException if the bytes are not a .mo file
     */
    static List<Entry> parse(byte[] mo) throws CharacterCodingException {
        if (mo.length < 20) {
            throw new IllegalArgumentException("too short for a .mo header (" + mo.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(mo).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != MAGIC) {
            buf.order(ByteOrder.BIG_ENDIAN);
            if (buf.getInt(0) != MAGIC) {
                throw new IllegalArgumentException("not a .mo file (bad magic number)");
            }
        }
        int count = buf.getInt(8);
        int originals = buf.getInt(12);
        int translations = buf.getInt(16);
        if (count < 0 || !fits(mo, originals, count * 8L) || !fits(mo, translations, count * 8L)) {
            throw new IllegalArgumentException("corrupt .mo header: " + count + " strings");
        }
        Charset charset = StandardCharsets.UTF_8;
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] id = string(buf, originals + 8 * i);
            byte[] str = string(buf, translations + 8 * i);
            if (id.length == 0) {
                charset = headerCharset(new String(str, StandardCharsets.US_ASCII));
                continue;
            }
            String msgid = firstForm(decode(id, charset));
            String msgstr = firstForm(decode(str, charset));
            int ctx = msgid.indexOf(CONTEXT_SEPARATOR);
            if (ctx >= 0) {
                msgid = msgid.substring(ctx + 1);
            }
            if (!msgstr.isBlank() && !msgstr.equals(msgid)) {
                entries.add(new Entry(msgid, msgstr));
            }
        }
        return entries;
    }

    private static byte[] string(ByteBuffer buf, int descriptor) {
        int length = buf.getInt(descriptor);
        int offset = buf.getInt(descriptor + 4);
        if (length < 0 || !fits(buf.array(), offset, length)) {
            throw new IllegalArgumentException("corrupt .mo string at descriptor " + descriptor);
        }
        byte[] s = new byte[length];
        buf.get(offset, s);
        return s;
    }

    private static boolean fits(byte[] mo, long offset, long length) {
        return offset >= 0 && offset + length <= mo.length;
    }

    /** Plural forms are NUL-separated; the first is the singular. */
    private static String firstForm(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static String decode(byte[] bytes, Charset charset) throws CharacterCodingException {
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static Charset headerCharset(String header) {
        Matcher m = CHARSET.matcher(header);
        if (!m.find()) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(m.group(1).toUpperCase(Locale.ROOT));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
