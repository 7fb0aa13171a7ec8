package dev.batcher.service.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.font.FontRenderContext;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one batch item with XChart: its channels as stacked traces (time in seconds, amplitude in
 * the signal's unit) over its label track (a hypnogram with the encoding's names). The panels are
 * separate charts painted one under the other into one image, shifted so that their time axes line
 * up.
 */
final class PeekPlot {
    /** The image's width in pixels. */
    static final int WIDTH = 1400;
    /** The extra height of the top panel, for its title. */
    static final int TITLE = 40;
    /** The height of each channel's panel. */
    static final int TRACE = 120;
    /** The height of the label panel, with the time axis. */
    static final int LABELS = 190;

    private static final Color TRACE_COLOR = new Color(31, 78, 140);
    private static final Color LABEL_COLOR = new Color(176, 58, 46);
    private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font TITLES = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

    static {
        // Only images are drawn: never reach for a display (an ssh session may name one it cannot open).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PeekPlot() {
    }

    /**
     * What to draw.
     *
     * @param title the line above the traces
     * @param channels one name per trace
     * @param unit the amplitude unit
     * @param rate samples per second of the traces
     * @param traces {@code [channel][sample]}
     * @param labelName the label channel's name
     * @param labelSeconds the seconds each label value covers
     * @param labels the label values, in order; {@code -1} marks epochs an earlier item covered
     * @param encoding the name of each label value
     */
    record Item(String title, List<String> channels, String unit, double rate, float[][] traces, String labelName,
            double labelSeconds, int[] labels, List<String> encoding) {}

    /** Returns the image's height for {@code channels} traces. */
    static int height(int channels) {
        return TITLE + channels * TRACE + LABELS;
    }

    /**
     * Renders the item and writes it as a PNG.
     *
     * @param item what to draw
     * @param file the PNG to write (its directory is created)
     * @throws IOException if the file cannot be written
     */
    static void write(Item item, Path file) throws IOException {
        BufferedImage image = render(item);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM's ImageIO");
        }
    }

    static BufferedImage render(Item item) {
        int c = item.channels().size();
        double seconds = item.traces().length == 0 ? 0 : item.traces()[0].length / item.rate();
        double span = Math.max(seconds, item.labels().length * item.labelSeconds());
        List<XYChart> charts = new ArrayList<>();
        List<Integer> heights = new ArrayList<>();
        for (int ch = 0; ch < c; ch++) {
            int h = ch == 0 ? TITLE + TRACE : TRACE;
            charts.add(trace(item, ch, span, ch == 0 ? item.title() : null, h));
            heights.add(h);
        }
        charts.add(labels(item, span));
        heights.add(LABELS);
        // Each chart sizes its y axis to its own tick labels, so the plot areas start at different x.
        // Paint once to find where x = 0 lands, then shift and narrow each chart so that they line up.
        BufferedImage image = new BufferedImage(WIDTH, height(c), BufferedImage.TYPE_INT_RGB);
        int[] left = new int[charts.size()];
        int maxLeft = 0;
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D scratch = new BufferedImage(WIDTH, heights.get(i), BufferedImage.TYPE_INT_RGB).createGraphics();
            charts.get(i).paint(scratch, WIDTH, heights.get(i));
            scratch.dispose();
            left[i] = (int) Math.round(charts.get(i).getScreenXFromChart(0.0));
            maxLeft = Math.max(maxLeft, left[i]);
        }
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            int y = 0;
            for (int i = 0; i < charts.size(); i++) {
                int dx = maxLeft - left[i];
                int h = heights.get(i);
                Graphics2D panel = (Graphics2D) g.create(dx, y, WIDTH - dx, h);
                charts.get(i).paint(panel, WIDTH - dx, h);
                panel.dispose();
                y += h;
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static XYChart trace(Item item, int ch, double span, String title, int height) {
        XYChart chart = new XYChart(WIDTH, height);
        if (title != null) {
            chart.setTitle(title);
        }
        String withUnit = item.channels().get(ch) + " (" + item.unit() + ")";
        boolean fits = TITLES.getStringBounds(withUnit, new FontRenderContext(null, true, true)).getWidth() < height - 24;
        chart.setYAxisTitle(fits ? withUnit : item.channels().get(ch));
        XYStyler s = style(chart, span, title != null);
        s.setXAxisTicksVisible(false);
        s.setXAxisTitleVisible(false);
        float[] v = item.traces()[ch];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        double[][] points = envelope(v, item.rate());
        double[] t = points[0];
        double[] a = points[1];
        if (v.length == 0 || hi - lo < 1e-9) {
            // A flat trace (a filled, missing channel is all zeros) still gets an axis around its value.
            double mid = v.length == 0 ? 0 : lo;
            lo = mid - 1;
            hi = mid + 1;
        }
        double pad = 0.05 * (hi - lo);
        s.setYAxisMin(lo - pad);
        s.setYAxisMax(hi + pad);
        s.setYAxisDecimalPattern(hi - lo >= 20 ? "0" : hi - lo >= 2 ? "0.#" : "0.###");
        XYSeries series = chart.addSeries(item.channels().get(ch), t, a);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(TRACE_COLOR);
        series.setLineWidth(0.8f);
        return chart;
    }

    /**
     * Returns the trace's points, {@code [time, amplitude]}. A trace longer than the plot is wide is
     * cut into buckets of a few samples, each drawn as its minimum and maximum in time order: the
     * line looks the same (every peak is kept) and draws in a fraction of the time.
     */
    static double[][] envelope(float[] v, double rate) {
        int buckets = 2 * WIDTH;
        if (v.length <= 2 * buckets) {
            double[] t = new double[v.length];
            double[] a = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                t[i] = i / rate;
                a[i] = v[i];
            }
            return new double[][] {t, a};
        }
        double[] t = new double[2 * buckets];
        double[] a = new double[2 * buckets];
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * v.length / buckets);
            int to = (int) ((long) (b + 1) * v.length / buckets);
            int min = from;
            int max = from;
            for (int i = from; i < to; i++) {
                if (v[i] < v[min]) {
                    min = i;
                }
                if (v[i] > v[max]) {
                    max = i;
                }
            }
            int first = Math.min(min, max);
            int second = Math.max(min, max);
            t[2 * b] = first / rate;
            a[2 * b] = v[first];
            t[2 * b + 1] = second / rate;
            a[2 * b + 1] = v[second];
        }
        return new double[][] {t, a};
    }

    private static XYChart labels(Item item, double span) {
        XYChart chart = new XYChart(WIDTH, LABELS);
        chart.setXAxisTitle("time (s)");
        chart.setYAxisTitle(item.labelName());
        XYStyler s = style(chart, span, false);
        int n = item.encoding().size();
        int top = 0;
        int bottom = n - 1;
        for (int v : item.labels()) {
            bottom = Math.max(bottom, v); // a value outside the encoding still shows, named by its number
        }
        // Hypnogram convention: the first name (W) on top, so the value v is drawn at -v.
        // The axis ends on names: XChart drops tick labels when two are equal, so no tick may fall
        // between names (an empty label) at the ends. Its plot content inset keeps the ends off the border.
        s.setYAxisMin((double) -Math.max(bottom, 1));
        s.setYAxisMax((double) top);
        s.setYAxisTickMarkSpacingHint(10);
        List<String> names = item.encoding();
        s.setyAxisTickLabelsFormattingFunction(d -> {
            long v = Math.round(-d);
            if (Math.abs(-d - v) > 1e-6 || v < 0) {
                return "";
            }
            return v < names.size() ? names.get((int) v) : "value " + v;
        });
        // One series per run of epochs not covered earlier (-1 leaves a gap).
        List<double[]> run = new ArrayList<>();
        int segments = 0;
        int[] labels = item.labels();
        for (int k = 0; k <= labels.length; k++) {
            if (k == labels.length || labels[k] < 0) {
                if (!run.isEmpty()) {
                    addSteps(chart, "labels " + segments++, run);
                    run = new ArrayList<>();
                }
                continue;
            }
            double t0 = k * item.labelSeconds();
            run.add(new double[] {t0, -labels[k]});
            run.add(new double[] {t0 + item.labelSeconds(), -labels[k]});
        }
        if (segments == 0) {
            // Every epoch was covered earlier: an empty axis says so rather than a blank panel.
            chart.setTitle("every label epoch was covered by an earlier item (-1)");
            XYSeries none = chart.addSeries("none", new double[] {0}, new double[] {Double.NaN});
            none.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static void addSteps(XYChart chart, String name, List<double[]> points) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(LABEL_COLOR);
        series.setLineWidth(2.2f);
    }

    private static XYStyler style(XYChart chart, double span, boolean titled) {
        XYStyler s = chart.getStyler();
        s.setLegendVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(160, 160, 160));
        s.setPlotGridLinesColor(new Color(228, 228, 228));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setAxisTickLabelsFont(TICKS);
        s.setAxisTitleFont(TITLES);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleVisible(titled);
        s.setChartPadding(6);
        s.setPlotMargin(2);
        s.setXAxisTickMarkSpacingHint(90); // the same on every panel, so the vertical grid lines line up
        s.setXAxisMin(0.0);
        s.setXAxisMax(span > 0 ? span : 1.0);
        s.setxAxisTickLabelsFormattingFunction(d -> new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT))
                .format(d));
        return s;
    }
}
