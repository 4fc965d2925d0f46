package io.babelflow.streams.reweighting;

import io.babelflow.schemas.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reading of a policy's {@code map<string,string>} parameters (RunStarted.policyParams). Every
 * problem is an {@link InvalidInputException} that names the policy, the key and the bad value.
 *
 * <p>Per-language values use the compact form {@code en=0.2,zh=0.05}; where a default for every
 * language makes sense, {@code *=0.02} sets it and a bare number means {@code *=number}.
 */
public final class PolicyParams {
    private final String policy;
    private final Map<String, String> values;
    private final List<String> languages;

    public PolicyParams(String policy, Map<String, String> values, List<String> languages) {
        this.policy = policy;
        this.values = values == null ? Map.of() : Map.copyOf(values);
        this.languages = List.copyOf(languages);
    }

    public String policy() {
        return policy;
    }

    public List<String> languages() {
        return languages;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Rejects keys outside {@code known}: a misspelt parameter must not silently fall back to its default. */
    public void requireOnly(Set<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw error("unknown parameter" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; known: " + String.join(", ", new TreeSet<>(known)));
        }
    }

    public boolean has(PolicyParam param) {
        return has(param.key());
    }

    public String string(PolicyParam param) {
        return string(param.key(), "");
    }

    public double number(PolicyParam param) {
        return number(param.key(), param.fallback(), param.min(), param.max());
    }

    public double positive(PolicyParam param) {
        return positive(param.key(), param.fallback(), param.max());
    }

    public long integer(PolicyParam param) {
        return integer(param.key(), (long) param.fallback(), (long) param.min());
    }

    public <E extends Enum<E>> E choice(PolicyParam param, Class<E> type) {
        return choice(param.key(), type, type.cast(param.choice()));
    }

    public Map<String, Double> perLanguage(PolicyParam param) {
        return perLanguage(param.key(), param.fallback(), param.min(), param.max());
    }

    public String string(String key, String fallback) {
        String v = values.get(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public double number(String key, double fallback, double min, double max) {
        String v = values.get(key);
        return v == null ? fallback : parseNumber(key, v, min, max);
    }

    /** A number that must be > 0 (and at most {@code max}). */
    public double positive(String key, double fallback, double max) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        double n = parseNumber(key, v, 0, max);
        if (n <= 0) {
            throw error(key + "=" + v.trim() + " must be > 0");
        }
        return n;
    }

    public long integer(String key, long fallback, long min) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min) {
                throw error(key + "=" + v + " must be >= " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw error(key + "=" + v + " is not an integer");
        }
    }

    public <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        String wanted = v.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        List<String> options = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
        throw error(key + "=" + v + " is not one of " + String.join(", ", options));
    }

    /**
     * Per-language numbers in [{@code min}, {@code max}]: {@code en=0.2,zh=0.05}, {@code *=x} for the
     * rest, or a bare number for all. Languages not given get {@code fallback}; unknown languages fail.
     */
    public Map<String, Double> perLanguage(String key, double fallback, double min, double max) {
        Map<String, Double> out = new LinkedHashMap<>();
        languages.forEach(l -> out.put(l, fallback));
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            return out;
        }
        if (!v.contains("=")) {
            double all = parseNumber(key, v, min, max);
            languages.forEach(l -> out.put(l, all));
            return out;
        }
        Map<String, Double> given = languageMap(key, v, min, max, true);
        Double rest = given.remove("*");
        if (rest != null) {
            languages.forEach(l -> out.put(l, rest));
        }
        out.putAll(given);
        return out;
    }

    /** A required-form {@code lang=value,...} map (no default), keys checked against the run's languages. */
    public Map<String, Double> languageMap(String key, String text, double min, double max, boolean allowStar) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw error(key + ": '" + p + "' is not language=value");
            }
            String lang = p.substring(0, eq).trim();
            if (!(allowStar && lang.equals("*")) && !languages.contains(lang)) {
                throw error(key + ": language '" + lang + "' is not in the run (" + String.join(", ", languages) + ")");
            }
            if (out.put(lang, parseNumber(key + "." + lang, p.substring(eq + 1), min, max)) != null) {
                throw error(key + ": language '" + lang + "' given twice");
            }
        }
        if (out.isEmpty()) {
            throw error(key + " is empty");
        }
        return out;
    }

    public InvalidInputException error(String problem) {
        return new InvalidInputException("policy " + policy + ": " + problem);
    }

    private double parseNumber(String key, String text, double min, double max) {
        double n;
        try {
            n = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw error(key + "=" + text.trim() + " is not a number");
        }
        if (!Double.isFinite(n) || n < min || n > max) {
            throw error(key + "=" + text.trim() + " must be in [" + min + ", " + max + "]");
        }
        return n;
    }
}
