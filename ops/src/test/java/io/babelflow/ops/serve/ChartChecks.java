package io.babelflow.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the page's charts draw, read from their uPlot instances ({@code BF_CHARTS}) and checked
 * against the run: each check is one of the chart bugs seen in the demo, or the fork overlay.
 */
final class ChartChecks {
    private ChartChecks() {
    }

    /** x and y of one chart series (by legend label) where y is drawn, as {@code [[x, y], ...]}. */
    private static String drawn(String chart, String label) {
        return "(() => { const u = BF_CHARTS." + chart + ".plot; const i = u.series.findIndex(s => s.label === '" + label + "');"
                + " return i < 0 ? null : u.data[0].map((x, k) => [x, u.data[i][k]]).filter(p => p[1] != null); })()";
    }

    /** Transfer ratios are fractions: the axis ends at 100 % (a demo with one window once showed 10000 %). */
    static void assertTransferAxisIsAFraction(HeadlessChromium page) throws Exception {
        JsonNode transfer = page.eval("(() => { const u = BF_CHARTS.transfer.plot; return { max: u.scales.y.max,"
                + " ticks: u.axes[1]._values, values: u.data.slice(1).flat().filter(v => v != null) }; })()");
        assertTrue(transfer.path("max").asDouble() <= 1.0, "transfer axis to " + transfer);
        transfer.path("ticks").forEach(t -> assertTrue(Integer.parseInt(t.asText().replace("%", "")) <= 100, "tick " + t));
        assertTrue(transfer.path("values").size() > 0, "a transfer point");
        transfer.path("values").forEach(v -> assertTrue(v.asDouble() >= 0 && v.asDouble() <= 1, "ratio " + v));
    }

    /**
     * The charts against the run they show: transfer axis, mixture columns, and {@code late}, a language
     * that joins the mixture at {@code joins}, drawn from there (the primary from step 0).
     */
    static void assertChartsMatchTheirData(HeadlessChromium page, String run, String primary, String late, long joins)
            throws Exception {
        assertTransferAxisIsAFraction(page);

        // the mixture's stacked areas: a column per bucket of the run (plus one closing at its last step)
        // holding that bucket's mean weights, summing to 1
        JsonNode mixture = page.eval("(() => { const u = BF_CHARTS.mixture.plot, run = BF_STATE.data.get('" + run + "');"
                + " const s = run.series.get('mixture/" + primary + "');"
                + " return { xs: u.data[0], first: u.data[1], top: u.data[u.data.length - 1], bx: s.x, mean: s.mean,"
                + " end: Math.max(...s.lastX), last: run.view.lastStep }; })()");
        JsonNode xs = mixture.path("xs");
        JsonNode bx = mixture.path("bx");
        assertTrue(xs.size() > 1, "mixture columns " + mixture);
        assertEquals(bx.get(0).asLong(), xs.get(0).asLong(), "the first column is the first bucket");
        assertEquals(mixture.path("end").asLong(), xs.get(xs.size() - 1).asLong(), "the last column ends at the last step");
        assertTrue(mixture.path("end").asLong() <= mixture.path("last").asLong());
        for (int i = 0; i < xs.size(); i++) {
            assertEquals(1.0, mixture.path("top").get(i).asDouble(), 1e-6, "weights at x " + xs.get(i) + ": " + mixture);
            int b = Math.min(i, bx.size() - 1);
            assertEquals(mixture.path("mean").get(b).asDouble(), mixture.path("first").get(i).asDouble(), 1e-9,
                    primary + "'s weight in column " + i + " is its bucket's mean");
        }

        // a language's train-loss line starts where its data starts and breaks where the language was out of the
        // mixture for more than 10 buckets (a late language was drawn from its first steps to where it came back)
        for (String lang : new String[] {primary, late}) {
            JsonNode line = page.eval("(() => { const u = BF_CHARTS.loss.plot, s = BF_STATE.data.get('" + run + "').series"
                    + ".get('loss/train/" + lang + "'); const i = u.series.findIndex(v => v.label === '" + lang + "');"
                    + " return { spans: u.series[i].spanGaps, x: u.data[0], y: u.data[i], bx: s.x, width: s.width }; })()");
            JsonNode lx = line.path("x");
            JsonNode ly = line.path("y");
            JsonNode lbx = line.path("bx");
            int firstDrawn = 0;
            while (ly.get(firstDrawn).isNull() || ly.get(firstDrawn).isMissingNode()) {
                firstDrawn++;
            }
            assertEquals(lbx.get(0).asDouble(), lx.get(firstDrawn).asDouble(), lang + "'s line starts at its first bucket");
            for (int k = 1; k < lbx.size(); k++) {
                long from = lbx.get(k - 1).asLong();
                long to = lbx.get(k).asLong();
                if (to - from > 10 * line.path("width").asLong()) { // out of the mixture, not missed by a small batch
                    assertTrue(!line.path("spans").asBoolean() && hasNullBetween(lx, ly, from, to),
                            lang + " had no data between steps " + from + " and " + to + " but its line spans them");
                }
            }
        }
        JsonNode joined = page.eval(drawn("loss", late));
        assertTrue(joined.get(joined.size() - 1).get(0).asLong() >= joins, late + " is drawn after it joins at " + joins);
    }

    private static boolean hasNullBetween(JsonNode xs, JsonNode ys, long from, long to) {
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i).asDouble() > from && xs.get(i).asDouble() < to && ys.get(i).isNull()) {
                return true;
            }
        }
        return false;
    }

    /** The open fork's loss: the parent's curve up to the fork step, under (before) the fork's own lines. */
    static void assertParentDrawnUnderTheFork(HeadlessChromium page, String fork, String parent, long forkStep)
            throws Exception {
        String tag = " · " + parent + " ≤ " + forkStep;
        JsonNode labels = page.eval("BF_CHARTS.loss.plot.series.map(s => s.label)");
        int under = -1;
        int own = -1;
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).asText().equals("all" + tag)) {
                under = i;
            }
            if (labels.get(i).asText().equals("all")) {
                own = i;
            }
        }
        assertTrue(under > 0 && own > under, "parent prefix drawn first, then the fork: " + labels);
        JsonNode prefix = page.eval(drawn("loss", "all" + tag));
        JsonNode mine = page.eval(drawn("loss", "all"));
        assertEquals(0, prefix.get(0).get(0).asLong(), "the parent's curve from its first step");
        assertEquals(forkStep, prefix.get(prefix.size() - 1).get(0).asLong(), "... to the fork step");
        assertEquals(forkStep, mine.get(0).get(0).asLong(), "the fork's own curve from the fork step");
    }

    /** Compare mode: parent and fork overlaid on one step axis. */
    static void assertComparedByStep(HeadlessChromium page, String fork, String parent, long forkStep, long steps)
            throws Exception {
        JsonNode theirs = page.eval(drawn("loss", "all · " + parent));
        JsonNode mine = page.eval(drawn("loss", "all · " + fork));
        assertEquals(0, theirs.get(0).get(0).asLong());
        assertEquals(steps - 1, theirs.get(theirs.size() - 1).get(0).asLong());
        assertEquals(forkStep, mine.get(0).get(0).asLong(), "the fork starts at its fork step on the parent's axis");
        assertEquals(steps - 1, mine.get(mine.size() - 1).get(0).asLong());
    }
}
