package io.babelflow.streams.reweighting.policy;

import io.babelflow.schemas.mixture.MixtureSchedule;
import io.babelflow.schemas.mixture.MixtureWeights;
import io.babelflow.streams.reweighting.PolicyParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code schedule} policy's syntax for a {@link MixtureSchedule}: {@code POS:lang=w,lang=w;POS:...},
 * e.g. {@code 0:en=0.9,zh=0.1;2000:en=0.5,zh=0.3,en-zh=0.2}. Positions strictly increase and take an
 * optional k, M or B suffix (×10³, ×10⁶, ×10⁹: {@code 2.5M}). Languages a point leaves out have weight 0
 * there; each point is normalised.
 */
public final class ScheduleSyntax {
    private ScheduleSyntax() {
    }

    public static MixtureSchedule parse(PolicyParams params, String key, String text, MixtureSchedule.Curve curve) {
        List<MixtureSchedule.Point> points = new ArrayList<>();
        double previous = Double.NEGATIVE_INFINITY;
        for (String phase : text.split(";")) {
            String p = phase.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.indexOf(':');
            if (colon <= 0) {
                throw params.error(key + ": point '" + p + "' is not POSITION:lang=weight,...");
            }
            String where = p.substring(0, colon).trim();
            double at = position(params, key, where);
            if (at <= previous) {
                throw params.error(key + ": positions must strictly increase, " + where + " does not");
            }
            previous = at;
            Map<String, Double> given = params.languageMap(key, p.substring(colon + 1), 0, Double.MAX_VALUE, false);
            if (MixtureWeights.problem(given, Set.copyOf(params.languages())).isPresent()) {
                throw params.error(key + ": the weights at " + where + " are all zero");
            }
            points.add(new MixtureSchedule.Point(at, given));
        }
        if (points.isEmpty()) {
            throw params.error(key + " has no points");
        }
        return new MixtureSchedule(params.languages(), points, curve);
    }

    /**
     * The {@code curve} parameter: linear (the default) or cosine. {@link MixtureSchedule.Curve#STEP} is the
     * run config's phases; the policy promises a mixture that never jumps, so it does not offer it.
     */
    public static MixtureSchedule.Curve curve(PolicyParams params, String key) {
        MixtureSchedule.Curve curve = params.choice(key, MixtureSchedule.Curve.class, MixtureSchedule.Curve.LINEAR);
        if (curve == MixtureSchedule.Curve.STEP) {
            throw params.error(key + "=" + params.string(key, "") + " is not one of linear, cosine");
        }
        return curve;
    }

    private static double position(PolicyParams params, String key, String text) {
        double scale = 1;
        String digits = text;
        char last = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
        switch (last) {
            case 'k', 'K' -> scale = 1e3;
            case 'M' -> scale = 1e6;
            case 'B', 'G' -> scale = 1e9;
            default -> {
            }
        }
        if (scale != 1) {
            digits = text.substring(0, text.length() - 1);
        }
        try {
            double at = Double.parseDouble(digits) * scale;
            if (!Double.isFinite(at) || at < 0) {
                throw params.error(key + ": position " + text + " must be a number >= 0");
            }
            return at;
        } catch (NumberFormatException e) {
            throw params.error(key + ": position " + text + " is not a number");
        }
    }
}
