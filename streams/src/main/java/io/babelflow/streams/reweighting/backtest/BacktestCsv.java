package io.babelflow.streams.reweighting.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backtest's time series as CSV (RFC 4180), one row per training step:
 * {@code step,tokens,timestamp_ms,version,<lang>...,recorded_<lang>...,update_reason}. Weights are in
 * full precision; {@code recorded_*} is empty where the recording has no weights; {@code update_reason}
 * holds the reasons of the updates sent at that step (joined by " | "), empty otherwise.
 */
public final class BacktestCsv {
    private BacktestCsv() {
    }

    public static void write(BacktestResult result, Writer out) {
        Map<Long, List<String>> reasons = new LinkedHashMap<>();
        for (BacktestResult.Update u : result.updates()) {
            reasons.computeIfAbsent(u.atStep(), k -> new ArrayList<>())
                    .add("v" + u.decision().version() + ": " + u.decision().reason());
        }
        try {
            List<String> header = new ArrayList<>(List.of("step", "tokens", "timestamp_ms", "version"));
            header.addAll(result.languages());
            result.languages().forEach(l -> header.add("recorded_" + l));
            header.add("update_reason");
            line(out, header);
            for (BacktestResult.Point p : result.series()) {
                List<String> row = new ArrayList<>(List.of(Long.toString(p.step()), Long.toString(p.tokens()),
                        Long.toString(p.timestampMillis()), Long.toString(p.version())));
                result.languages().forEach(l -> row.add(Double.toString(p.weights().get(l))));
                result.languages().forEach(l -> {
                    Double w = p.recordedWeights().get(l);
                    row.add(w == null ? "" : Double.toString(w));
                });
                row.add(String.join(" | ", reasons.getOrDefault(p.step(), List.of())));
                line(out, row);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write backtest CSV", e);
        }
    }

    private static void line(Writer out, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(quote(cells.get(i)));
        }
        out.write("\r\n");
    }

    static String quote(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }
}
