package io.babelflow.ops.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** A PNG line chart of named series over a shared x axis (steps), for curves people look at. */
public final class LineChart {
    /** Matplotlib's tab10: distinguishable on white, unlike JFreeChart's default yellow. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, XYSeries> series = new LinkedHashMap<>();
    private final java.util.List<org.jfree.chart.plot.ValueMarker> markers = new java.util.ArrayList<>();

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart add(String name, double x, double y) {
        if (Double.isFinite(y)) {
            series.computeIfAbsent(name, n -> new XYSeries(n, false, true)).add(x, y);
        }
        return this;
    }

    /** A labelled vertical line at {@code x}, e.g. a stage change. */
    public LineChart mark(double x, String label) {
        org.jfree.chart.plot.ValueMarker m = new org.jfree.chart.plot.ValueMarker(x, Color.GRAY,
                new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
        m.setLabel(label);
        m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
        markers.add(m);
        return this;
    }

    public void writePng(Path file, int width, int height) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            // a second round of colours is dashed, so series that coincide stay distinguishable
            renderer.setSeriesStroke(i, i < PALETTE.length ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(renderer);
        markers.forEach(plot::addDomainMarker);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file, e);
        }
    }
}
