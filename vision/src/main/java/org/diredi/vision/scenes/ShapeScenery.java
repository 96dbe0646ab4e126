package org.diredi.vision.scenes;

import static org.diredi.vision.scenes.SceneRenderer.clamp01;
import static org.diredi.vision.scenes.SceneRenderer.hsvToRgb;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Arc2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.Random;

/**
 * ShapeScenes' backgrounds, unlike FashionScenes' (photos, noise, gradients, stripes): tiles or
 * bricks, Voronoi cells, soft blobs, or a flat colour under dense clutter. Clutter strokes (lines,
 * open arcs, zigzags, curves: parts of shapes, never a whole one) also cross half of the other
 * backgrounds, as hard negatives, and a few cross over the objects of some scenes, as partial
 * occluders.
 */
final class ShapeScenery implements Scenery {

    static final List<String> PROCEDURAL = List.of("tiles", "cells", "blobs", "clutter");
    /** Share of scenes with strokes drawn over their objects. */
    static final double OCCLUDED_SHARE = 0.4;

    private final int size;

    ShapeScenery(int size) {
        this.size = size;
    }

    @Override
    public String background(Random rnd, float[] r, float[] g, float[] b) {
        int kind = rnd.nextInt(PROCEDURAL.size());
        switch (kind) {
            case 0 -> tiles(rnd, r, g, b);
            case 1 -> cells(rnd, r, g, b);
            case 2 -> blobs(rnd, r, g, b);
            default -> fill(colour(rnd), r, g, b);
        }
        int strokes = kind == 3 ? 25 + rnd.nextInt(36) : rnd.nextBoolean() ? 0 : 4 + rnd.nextInt(9);
        strokes(rnd, strokes, r, g, b);
        return "procedural:" + PROCEDURAL.get(kind);
    }

    @Override
    public void foreground(Random rnd, float[] r, float[] g, float[] b) {
        if (rnd.nextDouble() < OCCLUDED_SHARE) {
            strokes(rnd, 1 + rnd.nextInt(3), r, g, b);
        }
    }

    /** Square or oblong tiles, maybe offset like bricks, from a small palette, with grout lines. */
    private void tiles(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        int tw = 8 + rnd.nextInt(25);
        int th = rnd.nextBoolean() ? tw : 6 + rnd.nextInt(25);
        boolean brick = rnd.nextBoolean();
        int grout = rnd.nextInt(3);
        double[][] palette = palette(rnd, 2 + rnd.nextInt(3));
        double[] groutColour = colour(rnd);
        int cols = s / tw + 3;
        int rows = s / th + 2;
        double[][] tile = new double[cols * rows][];
        for (int i = 0; i < tile.length; i++) {
            tile[i] = shaded(palette[rnd.nextInt(palette.length)], 0.85 + 0.3 * rnd.nextDouble());
        }
        int ox = rnd.nextInt(tw);
        int oy = rnd.nextInt(th);
        for (int y = 0; y < s; y++) {
            int row = (y + oy) / th;
            int ty = (y + oy) % th;
            for (int x = 0; x < s; x++) {
                int xx = x + ox + (brick && row % 2 == 1 ? tw / 2 : 0);
                double[] c = xx % tw < grout || ty < grout ? groutColour : tile[row * cols + xx / tw];
                set(y * s + x, c, r, g, b);
            }
        }
    }

    /** Voronoi cells of random sites, each a palette colour, with a thin border between cells. */
    private void cells(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        int n = 8 + rnd.nextInt(33);
        double[] sx = new double[n];
        double[] sy = new double[n];
        double[][] colour = new double[n][];
        double[][] palette = palette(rnd, 3 + rnd.nextInt(3));
        for (int k = 0; k < n; k++) {
            sx[k] = s * rnd.nextDouble();
            sy[k] = s * rnd.nextDouble();
            colour[k] = shaded(palette[rnd.nextInt(palette.length)], 0.8 + 0.4 * rnd.nextDouble());
        }
        double[] border = colour(rnd);
        double borderWidth = rnd.nextDouble() * 2.5;
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                double d1 = Double.MAX_VALUE;
                double d2 = Double.MAX_VALUE;
                int nearest = 0;
                for (int k = 0; k < n; k++) {
                    double d = (x + 0.5 - sx[k]) * (x + 0.5 - sx[k]) + (y + 0.5 - sy[k]) * (y + 0.5 - sy[k]);
                    if (d < d1) {
                        d2 = d1;
                        d1 = d;
                        nearest = k;
                    } else if (d < d2) {
                        d2 = d;
                    }
                }
                boolean edge = Math.sqrt(d2) - Math.sqrt(d1) < borderWidth;
                set(y * s + x, edge ? border : colour[nearest], r, g, b);
            }
        }
    }

    /** A flat colour under soft-edged ellipses of other colours, partly see-through. */
    private void blobs(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        fill(colour(rnd), r, g, b);
        int n = 8 + rnd.nextInt(20);
        for (int k = 0; k < n; k++) {
            double cx = s * rnd.nextDouble();
            double cy = s * rnd.nextDouble();
            double rx = 5 + 35 * rnd.nextDouble();
            double ry = rx * (0.5 + rnd.nextDouble());
            double opacity = 0.4 + 0.5 * rnd.nextDouble();
            double[] c = colour(rnd);
            int x0 = Math.max(0, (int) (cx - rx));
            int x1 = Math.min(s, (int) Math.ceil(cx + rx));
            int y0 = Math.max(0, (int) (cy - ry));
            int y1 = Math.min(s, (int) Math.ceil(cy + ry));
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    double d = Math.sqrt(sq((x + 0.5 - cx) / rx) + sq((y + 0.5 - cy) / ry));
                    // Full inside 0.7 of the radius, fading to nothing at the rim.
                    float a = (float) (opacity * clamp01((float) ((1 - d) / 0.3)));
                    blend(y * s + x, a, c, r, g, b);
                }
            }
        }
    }

    /** Draws {@code n} random strokes (antialiased, opaque, 1 to 3 px wide) over the planes. */
    private void strokes(Random rnd, int n, float[] r, float[] g, float[] b) {
        if (n == 0) {
            return;
        }
        int s = size;
        BufferedImage layer = new BufferedImage(s, s, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g2 = layer.createGraphics();
        g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g2.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        for (int k = 0; k < n; k++) {
            double[] c = colour(rnd);
            g2.setColor(new Color((float) c[0], (float) c[1], (float) c[2]));
            g2.setStroke(new BasicStroke(1 + 2 * rnd.nextFloat(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g2.draw(stroke(rnd));
        }
        g2.dispose();
        int[] px = ((DataBufferInt) layer.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            float a = (p >>> 24) / 255f;
            if (a > 0) {
                double[] c = {((p >> 16) & 0xFF) / 255.0, ((p >> 8) & 0xFF) / 255.0, (p & 0xFF) / 255.0};
                blend(i, a, c, r, g, b);
            }
        }
    }

    /** A line, an open arc (at most 240 degrees, so never a ring), a zigzag or a curve. */
    private Shape stroke(Random rnd) {
        int s = size;
        double x = s * rnd.nextDouble();
        double y = s * rnd.nextDouble();
        double len = 10 + (s - 10) * rnd.nextDouble();
        double a = 2 * Math.PI * rnd.nextDouble();
        double ex = x + len * StrictMath.cos(a);
        double ey = y + len * StrictMath.sin(a);
        return switch (rnd.nextInt(4)) {
            case 0 -> new Line2D.Double(x, y, ex, ey);
            case 1 -> {
                double radius = 10 + 25 * rnd.nextDouble(); // thin and wide: not a crescent
                yield new Arc2D.Double(x - radius, y - radius, 2 * radius, 2 * radius, 360 * rnd.nextDouble(),
                        60 + 180 * rnd.nextDouble(), Arc2D.OPEN);
            }
            case 2 -> {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(x, y);
                double step = 6 + 14 * rnd.nextDouble();
                int segments = 2 + rnd.nextInt(3);
                for (int k = 1; k <= segments; k++) {
                    double turn = a + (k % 2 == 0 ? 0.9 : -0.9);
                    x += step * StrictMath.cos(turn);
                    y += step * StrictMath.sin(turn);
                    p.lineTo(x, y);
                }
                yield p;
            }
            default -> new QuadCurve2D.Double(x, y, s * rnd.nextDouble(), s * rnd.nextDouble(), ex, ey);
        };
    }

    private static double[][] palette(Random rnd, int n) {
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            p[i] = colour(rnd);
        }
        return p;
    }

    private static double[] colour(Random rnd) {
        return hsvToRgb(rnd.nextDouble(), rnd.nextDouble(), 0.15 + 0.85 * rnd.nextDouble());
    }

    private static double[] shaded(double[] c, double k) {
        return new double[] {Math.min(1, c[0] * k), Math.min(1, c[1] * k), Math.min(1, c[2] * k)};
    }

    private void fill(double[] c, float[] r, float[] g, float[] b) {
        for (int i = 0; i < r.length; i++) {
            set(i, c, r, g, b);
        }
    }

    private static void set(int i, double[] c, float[] r, float[] g, float[] b) {
        r[i] = (float) c[0];
        g[i] = (float) c[1];
        b[i] = (float) c[2];
    }

    private static void blend(int i, float a, double[] c, float[] r, float[] g, float[] b) {
        r[i] += a * ((float) c[0] - r[i]);
        g[i] += a * ((float) c[1] - g[i]);
        b[i] += a * ((float) c[2] - b[i]);
    }

    private static double sq(double v) {
        return v * v;
    }
}
