package org.diredi.vision.report;

import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocObject;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Draws detections, and optionally ground truth, onto a copy of an image for visual checks.
 *
 * <p>Detections: a solid box in the {@link #classColor class colour} with a filled tag
 * "name 0.87" above it (inside when there is no room above); higher scores are drawn last, on top.
 * Ground truth: thinner dashed boxes in the class colour, difficult objects in grey, no tags. Box
 * edges are drawn without antialiasing, inside the box's pixel bounds, so edge pixels have exactly
 * the class colour. Line width and font scale with the image size.
 */
public final class DetectionPainter {

    private static final Color DIFFICULT = new Color(0x9e9e9e);

    private DetectionPainter() {}

    // Twenty colours chosen to be mutually distinct (Trubetskoy's list), covering VOC's 20 classes.
    private static final int[] DISTINCT = {
        0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x42d4f4, 0xf032e6, 0xbfef45, 0xfabed4,
        0x469990, 0xdcbeff, 0x9a6324, 0xfffac8, 0x800000, 0xaaffc3, 0x808000, 0xffd8b1, 0x000075, 0xa9a9a9,
    };

    /**
     * Colour of class {@code classId}: twenty hand-picked distinct colours, then hues spaced by the
     * golden angle so any number of classes gets a colour.
     */
    public static Color classColor(int classId) {
        if (classId >= 0 && classId < DISTINCT.length) {
            return new Color(DISTINCT[classId]);
        }
        float hue = (float) ((classId * 0.6180339887498949) % 1.0 + 1.0) % 1f;
        return Color.getHSBColor(hue, 0.85f, 0.95f);
    }

    /**
     * Returns a new RGB image: {@code img} with {@code dets} and, when non-null, {@code groundTruth}
     * drawn on it. {@code img} is not modified. Class ids outside {@code classes} are labelled "#id".
     */
    public static BufferedImage draw(BufferedImage img, List<Detection> dets, ClassList classes,
                                     List<VocObject> groundTruth) {
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(img, 0, 0, null);
            int t = Math.max(2, Math.round(Math.min(w, h) / 200f));
            if (groundTruth != null) {
                float[] dash = {3f * t, 2f * t};
                g.setStroke(new BasicStroke(Math.max(1, t - 1), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
                for (VocObject o : groundTruth) {
                    int[] r = pixels(o.box(), w, h);
                    if (r == null) {
                        continue;
                    }
                    g.setColor(o.difficult() ? DIFFICULT : classColor(o.classId()));
                    g.drawRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
                }
            }
            List<Detection> order = new ArrayList<>(dets);
            order.sort(Comparator.comparingDouble(Detection::score)); // stable: ties keep input order
            Font font = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(w, h) / 40));
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (Detection d : order) {
                int[] r = pixels(d.box(), w, h);
                if (r == null) {
                    continue;
                }
                Color c = classColor(d.classId());
                g.setColor(c);
                fillFrame(g, r, t);
                String name = d.classId() >= 0 && d.classId() < classes.size()
                        ? classes.name(d.classId()) : "#" + d.classId();
                tag(g, fm, name + String.format(Locale.ROOT, " %.2f", d.score()), c, r, w, h);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Writes {@code img} as PNG atomically (see {@link AtomicFiles#writePng}). */
    public static void writePng(BufferedImage img, Path png) throws IOException {
        AtomicFiles.writePng(png, img);
    }

    /** Pixel bounds {x0, y0, x1, y1} (inclusive) of a continuous box, clipped; null if nothing is visible. */
    private static int[] pixels(Box b, int w, int h) {
        if (!(Float.isFinite(b.x1()) && Float.isFinite(b.y1()) && Float.isFinite(b.x2()) && Float.isFinite(b.y2()))) {
            return null;
        }
        int x0 = Math.max(0, Math.round(b.x1()));
        int y0 = Math.max(0, Math.round(b.y1()));
        int x1 = Math.min(w - 1, Math.round(b.x2()) - 1);
        int y1 = Math.min(h - 1, Math.round(b.y2()) - 1);
        return x1 < x0 || y1 < y0 ? null : new int[] {x0, y0, x1, y1};
    }

    private static void fillFrame(Graphics2D g, int[] r, int t) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        int bw = r[2] - r[0] + 1;
        int bh = r[3] - r[1] + 1;
        if (bw <= 2 * t || bh <= 2 * t) {
            g.fillRect(r[0], r[1], bw, bh);
            return;
        }
        g.fillRect(r[0], r[1], bw, t);
        g.fillRect(r[0], r[3] - t + 1, bw, t);
        g.fillRect(r[0], r[1] + t, t, bh - 2 * t);
        g.fillRect(r[2] - t + 1, r[1] + t, t, bh - 2 * t);
    }

    private static void tag(Graphics2D g, FontMetrics fm, String text, Color c, int[] r, int w, int h) {
        int tw = fm.stringWidth(text) + 6;
        int th = fm.getHeight();
        int x = Math.max(0, Math.min(r[0], w - tw));
        int y = r[1] - th >= 0 ? r[1] - th : Math.min(r[1], Math.max(0, h - th));
        g.setColor(c);
        g.fillRect(x, y, tw, th);
        // Dark text on light colours, white on dark ones (perceived luminance).
        double lum = 0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue();
        g.setColor(lum > 150 ? Color.BLACK : Color.WHITE);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.drawString(text, x + 3, y + fm.getAscent());
    }
}
