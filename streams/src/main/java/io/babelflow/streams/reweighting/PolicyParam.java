package io.babelflow.streams.reweighting;

import java.util.EnumSet;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One declared policy parameter: its key, default, allowed range and a one-line doc. The factory
 * reads values through these declarations ({@link PolicyParams}), so what is documented
 * (docs/policies.md, kept equal by a test) is what is enforced.
 *
 * @param fallback    default of a numeric parameter (NaN when the parameter has no numeric default)
 * @param min         lowest allowed value of a numeric parameter
 * @param max         highest allowed value of a numeric parameter
 * @param shownDefault the default as the docs show it
 * @param shownRange  the allowed values as the docs show them
 * @param choice      default of a choice parameter (null for others)
 */
public record PolicyParam(String key, double fallback, double min, double max, Enum<?> choice, String shownDefault,
        String shownRange, String doc) {

    /** A number in [{@code min}, {@code max}]. */
    public static PolicyParam number(String key, double fallback, double min, double max, String doc) {
        return new PolicyParam(key, fallback, min, max, null, fmt(fallback), "[" + fmt(min) + ", " + fmt(max) + "]", doc);
    }

    /** A number in (0, {@code max}]. */
    public static PolicyParam positive(String key, double fallback, double max, String doc) {
        return new PolicyParam(key, fallback, 0, max, null, fmt(fallback), "(0, " + fmt(max) + "]", doc);
    }

    /** An integer of at least {@code min}. */
    public static PolicyParam integer(String key, long fallback, long min, String doc) {
        return new PolicyParam(key, fallback, min, Long.MAX_VALUE, null, Long.toString(fallback), "≥ " + min, doc);
    }

    /** One of an enum's constants, written in lower case with '-' for '_'. */
    public static <E extends Enum<E>> PolicyParam choice(String key, E fallback, String doc) {
        return choice(key, fallback, EnumSet.allOf(fallback.getDeclaringClass()), doc);
    }

    /** One of some of an enum's constants (the ones a policy offers), written as {@link #choice(String, Enum, String)}. */
    public static <E extends Enum<E>> PolicyParam choice(String key, E fallback, EnumSet<E> offered, String doc) {
        String options = offered.stream().map(PolicyParam::spelling).collect(Collectors.joining(" \\| "));
        return new PolicyParam(key, Double.NaN, 0, 0, fallback, spelling(fallback), options, doc);
    }

    /** A per-language number in [{@code min}, {@code max}]: {@code lang=v,…}, {@code *=v} or a bare number. */
    public static PolicyParam perLanguage(String key, double fallback, double min, double max, String doc) {
        return new PolicyParam(key, fallback, min, max, null, fmt(fallback),
                "per language, [" + fmt(min) + ", " + fmt(max) + "]", doc);
    }

    /** Text the policy parses itself (a schedule, a map of weights, a path). */
    public static PolicyParam text(String key, String shownDefault, String shownRange, String doc) {
        return new PolicyParam(key, Double.NaN, 0, 0, null, shownDefault, shownRange, doc);
    }

    static String spelling(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
