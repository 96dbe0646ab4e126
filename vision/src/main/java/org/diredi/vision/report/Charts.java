package org.diredi.vision.report;

import org.diredi.vision.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PNG charts with Java2D for reports: loss curves ({@link #lineChart}) and per-class scores
 * ({@link #groupedBarChart}). Works headless (set {@code java.awt.headless=true} where no display
 * exists). Series get {@link #seriesColor(int) palette colours} in map iteration order, so pass a
 * {@link java.util.LinkedHashMap} for a stable legend. Files are written atomically.
 */
public final class Charts {

    /**
     * Size and y-scale of a chart.
     *
     * @param logY logarithmic y axis (line charts); non-positive values are then gaps
     */
    public record Options(int width, int height, boolean logY) {

        public static final Options DEFAULT = new Options(960, 540, false);

        public Options {
            if (width < 200 || height < 150) {
                throw new IllegalArgumentException("chart too small to be readable: " + width + "x" + height);
            }
        }

        public Options withLogY(boolean log) {
            return new Options(width, height, log);
        }

        public Options withSize(int w, int h) {
            return new Options(w, h, logY);
        }
    }

    // Matplotlib's "tab10": distinct hues that read well on white and that people recognise.
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final Color GRID = new Color(0xe6e6e6);
    private static final Color AXIS = new Color(0x333333);
    private static final Color TEXT = new Color(0x222222);

    private Charts() {}

    /** Colour of the {@code i}-th series (cycles after 10). */
    public static Color seriesColor(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** Number of distinct palette colours before they repeat. */
    public static int paletteSize() {
        return PALETTE.length;
    }

    /** {@link #lineChart(String, String, String, Map, Options, Path)} with {@link Options#DEFAULT}. */
    public static void lineChart(String title, String xLabel, String yLabel, Map<String, double[][]> series, Path png)
            throws IOException {
        lineChart(title, xLabel, yLabel, series, Options.DEFAULT, png);
    }

    /**
     * A line chart, e.g. loss per epoch. Each series is {@code {xs, ys}} (two arrays of equal
     * length). NaN or infinite values (and non-positive y on a log axis) are gaps: the line breaks
     * there and isolated points are drawn as dots. The legend shows each series' last finite value.
     */
    public static void lineChart(String title, String xLabel, String yLabel, Map<String, double[][]> series,
                                 Options options, Path png) throws IOException {
        AtomicFiles.writePng(png, renderLineChart(title, xLabel, yLabel, series, options));
    }

    /** Renders the line chart without writing it. */
    public static BufferedImage renderLineChart(String title, String xLabel, String yLabel,
                                                Map<String, double[][]> series, Options o) {
        DataBounds bounds = DataBounds.of(series, o.logY());
        Canvas cv = new Canvas(o.width(), o.height());
        Plot p = linePlot(cv, o, bounds);
        cv.title(title);
        drawAxes(cv, p, xLabel, yLabel, true);
        List<String> legend = drawLines(cv, p, series, o);
        if (bounds.empty()) {
            cv.centered("no data", (p.left + p.right) / 2, (p.top + p.bottom) / 2, cv.baseFont, TEXT);
        }
        drawLegendBox(cv, p, legend);
        return cv.done();
    }

    /** The range of a line chart's drawable points; an empty chart gets a unit (or one-decade) range. */
    private record DataBounds(double xmin, double xmax, double ymin, double ymax, boolean empty) {

        static DataBounds of(Map<String, double[][]> series, boolean logY) {
            double xmin = Double.POSITIVE_INFINITY;
            double xmax = Double.NEGATIVE_INFINITY;
            double ymin = Double.POSITIVE_INFINITY;
            double ymax = Double.NEGATIVE_INFINITY;
            for (Map.Entry<String, double[][]> e : series.entrySet()) {
                double[][] xy = e.getValue();
                if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null || xy[0].length != xy[1].length) {
                    throw new IllegalArgumentException("series '" + e.getKey() + "' must be {xs, ys} with equal lengths");
                }
                for (int i = 0; i < xy[0].length; i++) {
                    double x = xy[0][i];
                    double y = xy[1][i];
                    if (usable(x, y, logY)) {
                        xmin = Math.min(xmin, x);
                        xmax = Math.max(xmax, x);
                        ymin = Math.min(ymin, y);
                        ymax = Math.max(ymax, y);
                    }
                }
            }
            if (xmin > xmax) {
                return new DataBounds(0, 1, logY ? 1 : 0, logY ? 10 : 1, true);
            }
            return new DataBounds(xmin, xmax, ymin, ymax, false);
        }
    }

    /** Axes sized to the data and a plot rectangle leaving room for tick labels and axis titles. */
    private static Plot linePlot(Canvas cv, Options o, DataBounds b) {
        Axis x = Axis.linear(b.xmin(), b.xmax(), Math.max(3, o.width() / 110), false);
        Axis y = o.logY() ? Axis.log(b.ymin(), b.ymax())
                : Axis.linear(b.ymin(), b.ymax(), Math.max(3, o.height() / 70), false);
        int left = cv.pad + cv.base + 8 + maxWidth(cv.small, y.labels);
        int top = cv.pad + cv.titleFm.getHeight() + 6;
        int bottom = o.height() - (cv.pad + cv.baseFm.getHeight() + cv.smallFm.getHeight() + 10);
        int right = o.width() - cv.pad - Math.max(8, cv.smallFm.stringWidth(x.labels[x.labels.length - 1]) / 2);
        return new Plot(left, top, right, bottom, x, y);
    }

    /** Draws every series clipped to the plot; returns the legend entries (name and last value). */
    private static List<String> drawLines(Canvas cv, Plot p, Map<String, double[][]> series, Options o) {
        Graphics2D g = cv.g;
        Shape oldClip = g.getClip();
        g.clipRect(p.left, p.top, p.right - p.left + 1, p.bottom - p.top + 1);
        g.setStroke(new BasicStroke(Math.max(2f, o.height() / 270f), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double dotRadius = Math.max(2.5, o.height() / 180.0);
        List<String> legend = new ArrayList<>();
        int si = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            g.setColor(seriesColor(si++));
            double last = drawLine(g, p, e.getValue()[0], e.getValue()[1], o.logY(), dotRadius);
            legend.add(Double.isNaN(last) ? e.getKey() : e.getKey() + "  " + fmtValue(last));
        }
        g.setClip(oldClip);
        return legend;
    }

    /**
     * One series as a polyline broken at unusable points, isolated points as dots.
     *
     * @return the last drawn y value, NaN when nothing was drawn
     */
    private static double drawLine(Graphics2D g, Plot p, double[] xs, double[] ys, boolean logY, double dotRadius) {
        Path2D.Double path = new Path2D.Double();
        boolean penDown = false;
        double last = Double.NaN;
        int n = xs.length;
        for (int i = 0; i < n; i++) {
            if (!usable(xs[i], ys[i], logY)) {
                penDown = false;
                continue;
            }
            double px = p.px(xs[i]);
            double py = p.py(ys[i]);
            last = ys[i];
            boolean prevOk = i > 0 && usable(xs[i - 1], ys[i - 1], logY);
            boolean nextOk = i + 1 < n && usable(xs[i + 1], ys[i + 1], logY);
            if (!prevOk && !nextOk) {
                g.fill(new Ellipse2D.Double(px - dotRadius, py - dotRadius, 2 * dotRadius, 2 * dotRadius));
            }
            if (penDown) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                penDown = true;
            }
        }
        g.draw(path);
        return last;
    }

    /** {@link #groupedBarChart(String, List, Map, String, Options, Path)} with {@link Options#DEFAULT}. */
    public static void groupedBarChart(String title, List<String> categories, Map<String, double[]> values,
                                       String yLabel, Path png) throws IOException {
        groupedBarChart(title, categories, values, yLabel, Options.DEFAULT, png);
    }

    /**
     * Grouped bars: one group per category, one bar per series side by side (e.g. per-class AP
     * before and after adaptation). Each series holds one value per category; NaN draws no bar
     * (shown as "n/a"). When all values lie in [0, 1] the axis is fixed to [0, 1] so charts compare
     * at a glance; otherwise it spans the data and 0. Values are printed above bars that are wide
     * enough. {@link Options#logY()} is ignored.
     */
    public static void groupedBarChart(String title, List<String> categories, Map<String, double[]> values,
                                       String yLabel, Options options, Path png) throws IOException {
        AtomicFiles.writePng(png, renderGroupedBarChart(title, categories, values, yLabel, options));
    }

    /** Renders the grouped bar chart without writing it. */
    public static BufferedImage renderGroupedBarChart(String title, List<String> categories,
                                                      Map<String, double[]> values, String yLabel, Options o) {
        BarRange range = BarRange.of(values, categories.size());
        Canvas cv = new Canvas(o.width(), o.height());
        LegendRows legend = LegendRows.pack(cv, values.keySet(), o.width() - 2 * cv.pad);
        BarLayout l = BarLayout.of(cv, o, categories, values.size(), legend, range);
        cv.title(title);
        drawLegendRows(cv, legend, o.width());
        drawAxes(cv, l.plot(), null, yLabel, false);
        for (int c = 0; c < categories.size(); c++) {
            drawBarGroup(cv, l, range, values.values(), c);
            drawCategoryLabel(cv, l, categories.get(c), c);
        }
        Graphics2D g = cv.g;
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(l.plot().left, (int) Math.round(l.zero()), l.plot().right, (int) Math.round(l.zero()));
        return cv.done();
    }

    /** The span of a bar chart's finite values (always including 0) and whether all lie in [0, 1]. */
    private record BarRange(double min, double max, boolean unit) {

        static BarRange of(Map<String, double[]> values, int categories) {
            double vmin = 0;
            double vmax = 0;
            boolean unit = true;
            for (Map.Entry<String, double[]> e : values.entrySet()) {
                double[] v = e.getValue();
                if (v == null || v.length != categories) {
                    throw new IllegalArgumentException("series '" + e.getKey() + "' needs " + categories
                            + " values (one per category)");
                }
                for (double d : v) {
                    if (Double.isFinite(d)) {
                        vmin = Math.min(vmin, d);
                        vmax = Math.max(vmax, d);
                        unit &= d >= 0 && d <= 1;
                    }
                }
            }
            return new BarRange(vmin, vmax, unit);
        }

        /** [0, 1] for unit data so charts compare at a glance, else nice ticks over the span. */
        Axis axis(Options o) {
            return unit ? Axis.linear(0, 1, 5, true)
                    : Axis.linear(min, max == min ? min + 1 : max, Math.max(3, o.height() / 70), false);
        }

        String label(double v) {
            return unit ? String.format(Locale.ROOT, "%.2f", v) : fmtValue(v);
        }

        String widestLabel() {
            return unit ? "0.00" : fmtValue(max);
        }
    }

    /** Series names packed into rows that fit the width (many series would run off the right edge). */
    private record LegendRows(List<List<String>> rows, List<Integer> widths, int swatch, int rowHeight) {

        /** No rows when there is nothing to tell apart: no series, or one without a name. */
        static LegendRows pack(Canvas cv, Collection<String> names, int room) {
            int sw = cv.small.getSize();
            List<List<String>> rows = new ArrayList<>();
            List<Integer> widths = new ArrayList<>();
            boolean show = names.size() > 1 || (names.size() == 1 && !names.iterator().next().isEmpty());
            if (show) {
                for (String s : names) {
                    int w = entryWidth(cv, sw, s);
                    int last = rows.size() - 1;
                    if (last < 0 || widths.get(last) + w > room) {
                        rows.add(new ArrayList<>());
                        widths.add(0);
                        last++;
                    }
                    rows.get(last).add(s);
                    widths.set(last, widths.get(last) + w);
                }
            }
            return new LegendRows(rows, widths, sw, cv.smallFm.getHeight() + 2);
        }

        static int entryWidth(Canvas cv, int swatch, String name) {
            return swatch + 6 + cv.smallFm.stringWidth(name) + 18;
        }

        int height() {
            return rows.isEmpty() ? 0 : rows.size() * rowHeight + 6;
        }
    }

    /** Horizontal legend under the title, centred, so it never covers bars. */
    private static void drawLegendRows(Canvas cv, LegendRows legend, int width) {
        Graphics2D g = cv.g;
        g.setFont(cv.small);
        int sw = legend.swatch();
        int si = 0;
        for (int r = 0; r < legend.rows().size(); r++) {
            int lx = Math.max(cv.pad, (width - legend.widths().get(r)) / 2);
            int ly = cv.pad + cv.titleFm.getHeight() + 4 + r * legend.rowHeight();
            for (String s : legend.rows().get(r)) {
                g.setColor(seriesColor(si++));
                g.fillRect(lx, ly + (cv.smallFm.getHeight() - sw) / 2, sw, sw);
                g.setColor(TEXT);
                g.drawString(s, lx + sw + 6, ly + cv.smallFm.getAscent());
                lx += LegendRows.entryWidth(cv, sw, s);
            }
        }
    }

    /**
     * Geometry of a bar chart: the plot, one slot per category with its bars in the middle 80%,
     * whether category names are rotated, whether values fit above the bars, and the zero line.
     */
    private record BarLayout(Plot plot, double slot, boolean rotateNames, double group, double barWidth,
                             boolean valueLabels, double zero) {

        static BarLayout of(Canvas cv, Options o, List<String> categories, int series, LegendRows legend,
                            BarRange range) {
            Axis y = range.axis(o);
            int nc = categories.size();
            int left = cv.pad + cv.base + 8 + maxWidth(cv.small, y.labels);
            int right = o.width() - cv.pad;
            double slot = nc == 0 ? 0 : (right - left) / (double) nc;
            int labelW = 0;
            for (String c : categories) {
                labelW = Math.max(labelW, cv.smallFm.stringWidth(c));
            }
            // Long names would overlap: rotate them 45 degrees and reserve room for the diagonal.
            boolean rotate = labelW > slot - 4;
            int catHeight = rotate ? (int) Math.ceil(labelW * Math.sqrt(0.5) + cv.smallFm.getAscent())
                    : cv.smallFm.getHeight();
            catHeight = Math.min(catHeight, o.height() / 3);
            int top = cv.pad + cv.titleFm.getHeight() + 6 + legend.height() + cv.smallFm.getHeight(); // room for value labels
            int bottom = o.height() - (cv.pad + cv.baseFm.getHeight() + catHeight + 10);
            Axis x = new Axis(0, 1, new double[0], new String[0], false);
            Plot p = new Plot(left, top, right, bottom, x, y);
            double group = slot * 0.8;
            double barW = series == 0 ? 0 : group / series;
            boolean labels = barW >= cv.tinyFm.stringWidth(range.widestLabel()) + 2;
            double zero = p.py(Math.max(y.min, Math.min(y.max, 0)));
            return new BarLayout(p, slot, rotate, group, barW, labels, zero);
        }
    }

    /** The bars of category {@code c}, one per series side by side. */
    private static void drawBarGroup(Canvas cv, BarLayout l, BarRange range, Collection<double[]> values, int c) {
        double gx = l.plot().left + c * l.slot() + (l.slot() - l.group()) / 2;
        int si = 0;
        for (double[] v : values) {
            double bx = gx + si * l.barWidth();
            drawBar(cv, l, range, v[c], bx, seriesColor(si));
            si++;
        }
    }

    /** One bar from the zero line to {@code val} with its value above (below if negative); NaN is "n/a". */
    private static void drawBar(Canvas cv, BarLayout l, BarRange range, double val, double bx, Color col) {
        double barW = l.barWidth();
        int x0 = (int) Math.round(bx);
        int x1 = (int) Math.round(bx + barW) - (barW >= 4 ? 1 : 0); // 1 px gap between bars
        if (!Double.isFinite(val)) {
            if (l.valueLabels()) {
                cv.centered("n/a", (x0 + x1) / 2, (int) l.zero() - cv.tinyFm.getDescent() - 2, cv.tiny, AXIS);
            }
            return;
        }
        int yv = (int) Math.round(l.plot().py(val));
        int y0 = (int) Math.round(l.zero());
        cv.g.setColor(col);
        cv.g.fillRect(x0, Math.min(yv, y0), Math.max(1, x1 - x0), Math.max(1, Math.abs(y0 - yv)));
        if (l.valueLabels()) {
            int ty = val >= 0 ? Math.min(yv, y0) - 3 : Math.max(yv, y0) + cv.tinyFm.getAscent() + 2;
            cv.centered(range.label(val), (x0 + x1) / 2, ty, cv.tiny, TEXT);
        }
    }

    /** A category's name under its slot, rotated 45 degrees when the names are too long to fit. */
    private static void drawCategoryLabel(Canvas cv, BarLayout l, String name, int c) {
        Graphics2D g = cv.g;
        int cx = (int) Math.round(l.plot().left + (c + 0.5) * l.slot());
        int bottom = l.plot().bottom;
        g.setFont(cv.small);
        g.setColor(TEXT);
        if (l.rotateNames()) {
            AffineTransform at = g.getTransform();
            g.translate(cx + cv.smallFm.getAscent() / 2.0, bottom + 6);
            g.rotate(-Math.PI / 4);
            g.drawString(name, -cv.smallFm.stringWidth(name), 0);
            g.setTransform(at);
        } else {
            g.drawString(name, cx - cv.smallFm.stringWidth(name) / 2, bottom + 4 + cv.smallFm.getAscent());
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static boolean usable(double x, double y, boolean logY) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    private static void drawAxes(Canvas cv, Plot p, String xLabel, String yLabel, boolean xTicks) {
        Graphics2D g = cv.g;
        g.setStroke(new BasicStroke(1f));
        g.setFont(cv.small);
        for (int i = 0; i < p.y.ticks.length; i++) {
            int py = (int) Math.round(p.py(p.y.ticks[i]));
            g.setColor(GRID);
            g.drawLine(p.left, py, p.right, py);
            String s = p.y.labels[i];
            if (!s.isEmpty()) {
                g.setColor(TEXT);
                g.drawString(s, p.left - 6 - cv.smallFm.stringWidth(s), py + cv.smallFm.getAscent() / 2 - 1);
            }
        }
        if (xTicks) {
            for (int i = 0; i < p.x.ticks.length; i++) {
                int px = (int) Math.round(p.px(p.x.ticks[i]));
                g.setColor(GRID);
                g.drawLine(px, p.top, px, p.bottom);
                g.setColor(TEXT);
                String s = p.x.labels[i];
                g.drawString(s, px - cv.smallFm.stringWidth(s) / 2, p.bottom + 4 + cv.smallFm.getAscent());
            }
        }
        g.setColor(AXIS);
        g.drawLine(p.left, p.top, p.left, p.bottom);
        g.drawLine(p.left, p.bottom, p.right, p.bottom);
        g.setFont(cv.baseFont);
        g.setColor(TEXT);
        if (xLabel != null && !xLabel.isEmpty()) {
            int w = cv.baseFm.stringWidth(xLabel);
            g.drawString(xLabel, (p.left + p.right - w) / 2, cv.height - cv.pad - cv.baseFm.getDescent());
        }
        if (yLabel != null && !yLabel.isEmpty()) {
            AffineTransform at = g.getTransform();
            int w = cv.baseFm.stringWidth(yLabel);
            g.translate(cv.pad + cv.baseFm.getAscent(), (p.top + p.bottom + w) / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, 0, 0);
            g.setTransform(at);
        }
    }

    /** Legend in the plot's top-right corner on a translucent white box (loss curves rarely go there). */
    private static void drawLegendBox(Canvas cv, Plot p, List<String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        Graphics2D g = cv.g;
        FontMetrics fm = cv.smallFm;
        int sw = 18;
        int lineH = fm.getHeight() + 2;
        int w = sw + 8 + maxWidth(cv.small, entries.toArray(String[]::new)) + 16;
        int h = entries.size() * lineH + 10;
        int x = p.right - w - 8;
        int y = p.top + 8;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(x, y, w, h);
        g.setColor(new Color(0xbbbbbb));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, w, h);
        g.setFont(cv.small);
        for (int i = 0; i < entries.size(); i++) {
            int ly = y + 5 + i * lineH;
            g.setColor(seriesColor(i));
            g.fillRect(x + 8, ly + lineH / 2 - 2, sw, 4);
            g.setColor(TEXT);
            g.drawString(entries.get(i), x + 8 + sw + 8, ly + fm.getAscent());
        }
    }

    private static int maxWidth(Font f, String[] labels) {
        FontMetrics fm = Canvas.metrics(f);
        int w = 0;
        for (String s : labels) {
            w = Math.max(w, fm.stringWidth(s));
        }
        return w;
    }

    /** A value for legends and bar labels: 4 significant digits, scientific when very large or small. */
    static String fmtValue(double v) {
        double a = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (a >= 1e5 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** A drawing surface with antialiasing and the fonts, sized relative to the image. */
    private static final class Canvas {
        final BufferedImage img;
        final Graphics2D g;
        final int height;
        final int base;
        final int pad;
        final Font titleFont;
        final Font baseFont;
        final Font small;
        final Font tiny;
        final FontMetrics titleFm;
        final FontMetrics baseFm;
        final FontMetrics smallFm;
        final FontMetrics tinyFm;

        Canvas(int w, int h) {
            img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            height = h;
            g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            base = Math.max(12, Math.min(w, h * 16 / 9) / 60);
            pad = Math.max(8, base * 2 / 3);
            titleFont = new Font(Font.SANS_SERIF, Font.BOLD, base * 3 / 2);
            baseFont = new Font(Font.SANS_SERIF, Font.PLAIN, base);
            small = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, base - 2));
            tiny = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, base - 4));
            titleFm = g.getFontMetrics(titleFont);
            baseFm = g.getFontMetrics(baseFont);
            smallFm = g.getFontMetrics(small);
            tinyFm = g.getFontMetrics(tiny);
        }

        static FontMetrics metrics(Font f) {
            BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = one.createGraphics();
            try {
                return g.getFontMetrics(f);
            } finally {
                g.dispose();
            }
        }

        void title(String t) {
            if (t != null && !t.isEmpty()) {
                // Long titles shrink to fit rather than run off the image.
                Font f = titleFont;
                int room = img.getWidth() - 2 * pad;
                while (g.getFontMetrics(f).stringWidth(t) > room && f.getSize() > 8) {
                    f = f.deriveFont((float) f.getSize() - 1);
                }
                centered(t, img.getWidth() / 2, pad + titleFm.getAscent(), f, TEXT);
            }
        }

        void centered(String s, int cx, int baseline, Font f, Color c) {
            g.setFont(f);
            g.setColor(c);
            g.drawString(s, cx - g.getFontMetrics(f).stringWidth(s) / 2, baseline);
        }

        BufferedImage done() {
            g.dispose();
            return img;
        }
    }

    /** Data-to-pixel mapping of the plot rectangle. */
    private record Plot(int left, int top, int right, int bottom, Axis x, Axis y) {
        double px(double v) {
            return left + (right - left) * x.frac(v);
        }

        double py(double v) {
            return bottom - (bottom - top) * y.frac(v);
        }
    }

    /** An axis range with its ticks and labels; log axes work in log10 space. */
    private record Axis(double min, double max, double[] ticks, String[] labels, boolean log) {

        double frac(double v) {
            double t = log ? Math.log10(v) : v;
            double lo = log ? Math.log10(min) : min;
            double hi = log ? Math.log10(max) : max;
            return (t - lo) / (hi - lo);
        }

        /** "Nice" ticks (1, 2, 5 x 10^k); the range is widened to whole ticks unless {@code exact}. */
        static Axis linear(double lo, double hi, int target, boolean exact) {
            if (hi <= lo) {
                double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= d;
                hi += d;
            }
            double step = niceStep((hi - lo) / target);
            long k0 = (long) Math.floor(lo / step + 1e-9);
            long k1 = (long) Math.ceil(hi / step - 1e-9);
            double min = exact ? lo : k0 * step;
            double max = exact ? hi : k1 * step;
            List<Double> ts = new ArrayList<>();
            for (long k = k0; k <= k1; k++) {
                double t = k * step;
                if (t >= min - step * 1e-9 && t <= max + step * 1e-9) {
                    ts.add(t);
                }
            }
            double[] ticks = new double[ts.size()];
            String[] labels = new String[ts.size()];
            int dec = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = ts.get(i);
                double a = Math.abs(ticks[i]);
                labels[i] = a != 0 && (a >= 1e6 || dec > 6)
                        ? String.format(Locale.ROOT, "%.2g", ticks[i])
                        : String.format(Locale.ROOT, "%." + dec + "f", ticks[i] == 0 ? 0.0 : ticks[i]);
            }
            return new Axis(min, max, ticks, labels, false);
        }

        /** Whole decades around the data; with at most two decades, 2 and 5 are ticked too. */
        static Axis log(double lo, double hi) {
            int e0 = (int) Math.floor(Math.log10(lo) + 1e-9);
            int e1 = (int) Math.ceil(Math.log10(hi) - 1e-9);
            if (e1 <= e0) {
                e1 = e0 + 1;
            }
            boolean minor = e1 - e0 <= 2;
            List<Double> ts = new ArrayList<>();
            for (int e = e0; e <= e1; e++) {
                double d = Math.pow(10, e);
                ts.add(d);
                if (minor && e < e1) {
                    ts.add(2 * d);
                    ts.add(5 * d);
                }
            }
            double[] ticks = new double[ts.size()];
            String[] labels = new String[ts.size()];
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = ts.get(i);
                double v = ticks[i];
                int e = (int) Math.floor(Math.log10(v) + 1e-9);
                labels[i] = e >= -4 && e <= 5
                        ? new java.math.BigDecimal(String.format(Locale.ROOT, "%.1e", v)).stripTrailingZeros().toPlainString()
                        : String.format(Locale.ROOT, "%.0e", v);
            }
            return new Axis(Math.pow(10, e0), Math.pow(10, e1), ticks, labels, true);
        }

        static double niceStep(double raw) {
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / mag;
            double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
            return nice * mag;
        }
    }
}
