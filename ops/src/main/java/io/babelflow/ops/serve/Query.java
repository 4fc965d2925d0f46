package io.babelflow.ops.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request's query parameters; a parameter may repeat ({@code run=A&run=B}). */
record Query(Map<String, List<String>> params) {

    static Query parse(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new Query(params);
    }

    String one(String name, String fallback) {
        List<String> v = params.get(name);
        if (v == null) {
            return fallback;
        }
        if (v.size() > 1) {
            throw new ObservatoryServer.BadRequest("parameter " + name + " given " + v.size() + " times");
        }
        return v.get(0);
    }

    List<String> all(String name) {
        return params.getOrDefault(name, List.of());
    }

    /** Asked by another instance: answer from this one's stores only. */
    boolean local() {
        String v = one("local", "0");
        if (!v.equals("0") && !v.equals("1")) {
            throw new ObservatoryServer.BadRequest("local must be 0 or 1, got '" + v + "'");
        }
        return v.equals("1");
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ObservatoryServer.BadRequest("malformed query: " + e.getMessage());
        }
    }
}
