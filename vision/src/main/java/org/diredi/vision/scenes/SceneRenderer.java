package org.diredi.vision.scenes;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diredi.vision.box.Box;

/**
 * Renders one scene of a {@link SceneDomain}: the domain's {@link Scenery} paints the background,
 * objects (each an alpha mask from {@link SceneObjects}) are scaled, tinted against the background
 * under them and pasted where they overlap earlier ones little, and each box is the extent of the
 * pasted mask; then the scenery may paint over them. Pure function of (config, seed, objects): all
 * randomness comes from the given seed and only strictly specified arithmetic is used, so output is
 * reproducible. Thread-safe (sceneries and objects are read-only after construction).
 */
final class SceneRenderer {

    /** Crop intensity times this is the paste alpha, so mid-grey garments are not see-through. */
    static final float ALPHA_GAIN = 1.3f;
    /** A pixel belongs to the object's box when its alpha exceeds this. */
    static final float BOX_THRESHOLD = 0.1f;
    /** Positions tried per object before giving up on it. */
    static final int PLACE_ATTEMPTS = 40;
    /** A later object may cover at most this fraction of an earlier object's box. */
    static final double MAX_COVER = 0.5;
    /** Minimum luminance difference between an object's tint and the background under it. */
    static final double MIN_CONTRAST = 0.3;

    /** One pasted object: its index in its {@link SceneObjects}, box (continuous px corners) and pasted frame. */
    record Placed(int cropIndex, int label, Box box, int pasteX, int pasteY, int width, int height) {}

    /** A rendered scene: packed RGB pixels, what the background was, the objects in paste order. */
    record Scene(int[] rgb, String background, List<Placed> objects) {}

    private final int size;
    private final FashionScenesConfig cfg;
    private final Scenery scenery;

    SceneRenderer(FashionScenesConfig cfg, Scenery scenery) {
        this.cfg = cfg;
        this.size = cfg.imageSize();
        this.scenery = scenery;
    }

    /** Objects to attempt in the image with this seed; {@link #render} draws the same number first. */
    static int objectCount(FashionScenesConfig cfg, long imageSeed) {
        return drawCount(cfg, new Random(imageSeed));
    }

    private static int drawCount(FashionScenesConfig cfg, Random rnd) {
        return cfg.minObjects() + rnd.nextInt(cfg.maxObjects() - cfg.minObjects() + 1);
    }

    Scene render(long imageSeed, SceneObjects source, int[] crops) {
        Random rnd = new Random(imageSeed);
        int n = drawCount(cfg, rnd);
        if (n != crops.length) {
            throw new IllegalArgumentException("image expects " + n + " crops, got " + crops.length);
        }
        int s = size;
        float[] r = new float[s * s];
        float[] g = new float[s * s];
        float[] b = new float[s * s];
        String background = scenery.background(rnd, r, g, b);

        List<Placed> placed = new ArrayList<>(n);
        for (int crop : crops) {
            Placed p = paste(rnd, source, crop, placed, r, g, b);
            if (p != null) {
                placed.add(p);
            }
        }
        scenery.foreground(rnd, r, g, b);
        int[] rgb = new int[s * s];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (to8(r[i]) << 16) | (to8(g[i]) << 8) | to8(b[i]);
        }
        return new Scene(rgb, background, placed);
    }

    // ---- objects -----------------------------------------------------------------------------

    private Placed paste(Random rnd, SceneObjects source, int crop, List<Placed> placed,
            float[] r, float[] g, float[] b) {
        int s = size;
        int side = cfg.minObjectSize() + rnd.nextInt(cfg.maxObjectSize() - cfg.minObjectSize() + 1);
        // Mild aspect jitter so objects of one class are not all the same shape.
        double aspect = 0.9 + 0.2 * rnd.nextDouble();
        int w = clamp((int) Math.round(side * aspect), 8, s);
        int h = clamp((int) Math.round(side / aspect), 8, s);
        float[] alpha = source.alpha(crop, w, h, rnd);
        int[] ext = extent(alpha, w, h);
        double hue = rnd.nextDouble();
        double sat = 0.25 + 0.75 * rnd.nextDouble();
        double gain = 0.9 + 0.2 * rnd.nextDouble();
        double lumDraw = rnd.nextDouble();
        if (ext == null) {
            return null; // blank crop: nothing to annotate
        }
        int ew = ext[2] - ext[0];
        int eh = ext[3] - ext[1];
        if (ew > s || eh > s) {
            return null;
        }
        for (int attempt = 0; attempt < PLACE_ATTEMPTS; attempt++) {
            // Place the tight extent (not the 28x28 frame) fully inside the image.
            int bx = rnd.nextInt(s - ew + 1);
            int by = rnd.nextInt(s - eh + 1);
            Box box = new Box(bx, by, bx + ew, by + eh);
            if (!fits(box, placed)) {
                continue;
            }
            int px = bx - ext[0];
            int py = by - ext[1];
            double bgLum = meanLuminance(r, g, b, bx, by, ew, eh);
            double[] tint = tint(hue, sat, bgLum, lumDraw);
            blend(alpha, w, h, px, py, tint, gain, r, g, b);
            return new Placed(crop, source.label(crop), box, px, py, w, h);
        }
        return null;
    }

    private boolean fits(Box box, List<Placed> placed) {
        for (Placed p : placed) {
            if (box.iou(p.box()) > cfg.maxOverlap()) {
                return false;
            }
            float iw = Math.min(box.x2(), p.box().x2()) - Math.max(box.x1(), p.box().x1());
            float ih = Math.min(box.y2(), p.box().y2()) - Math.max(box.y1(), p.box().y1());
            // Small objects inside big ones pass the IoU test; do not let them hide an earlier one.
            if (iw > 0 && ih > 0 && (double) iw * ih > MAX_COVER * p.box().area()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A colour of random hue and saturation whose luminance is at least {@link #MIN_CONTRAST}
     * away from the background's, dark on bright backgrounds and bright on dark ones.
     */
    static double[] tint(double hue, double sat, double bgLum, double draw) {
        double lo;
        double hi;
        if (bgLum > 0.5) {
            lo = 0.03;
            hi = Math.max(lo, bgLum - MIN_CONTRAST);
        } else {
            lo = Math.min(0.97, bgLum + MIN_CONTRAST);
            hi = 0.97;
        }
        double target = lo + (hi - lo) * draw;
        double[] c = hsvToRgb(hue, sat, 1.0);
        double l = luminance(c[0], c[1], c[2]);
        for (int k = 0; k < 3; k++) {
            c[k] = c[k] * target / l;
        }
        if (c[0] > 1 || c[1] > 1 || c[2] > 1) {
            // Too bright for this hue: clip, then mix with white to reach the target luminance.
            for (int k = 0; k < 3; k++) {
                c[k] = Math.min(1, c[k]);
            }
            double lc = luminance(c[0], c[1], c[2]);
            double t = lc >= 1 ? 0 : (target - lc) / (1 - lc);
            for (int k = 0; k < 3; k++) {
                c[k] = c[k] + Math.max(0, t) * (1 - c[k]);
            }
        }
        return c;
    }

    private void blend(float[] alpha, int w, int h, int px, int py, double[] tint, double gain,
            float[] r, float[] g, float[] b) {
        int s = size;
        float tr = (float) Math.min(1, tint[0] * gain);
        float tg = (float) Math.min(1, tint[1] * gain);
        float tb = (float) Math.min(1, tint[2] * gain);
        for (int y = 0; y < h; y++) {
            int iy = py + y;
            if (iy < 0 || iy >= s) {
                continue;
            }
            for (int x = 0; x < w; x++) {
                int ix = px + x;
                float a = alpha[y * w + x];
                if (ix < 0 || ix >= s || a <= 0f) {
                    continue;
                }
                // Keep some of the crop's own shading visible where alpha saturates.
                float shade = 0.75f + 0.25f * Math.min(1f, a);
                int i = iy * s + ix;
                r[i] += a * (tr * shade - r[i]);
                g[i] += a * (tg * shade - g[i]);
                b[i] += a * (tb * shade - b[i]);
            }
        }
    }

    /**
     * The crop's paste alpha at {@code w x h}: bilinear (pixel-centre aligned, black outside the
     * crop) intensity / 255 times {@link #ALPHA_GAIN}, capped at 1.
     */
    static float[] alphaMask(IdxReader.Images imgs, int index, int w, int h) {
        int n = FashionMnist.SIZE;
        byte[] px = imgs.pixels();
        int off = imgs.offset(index);
        float[] out = new float[w * h];
        int[] x0 = new int[w];
        float[] fx = new float[w];
        for (int x = 0; x < w; x++) {
            float sx = (x + 0.5f) * n / w - 0.5f;
            x0[x] = (int) Math.floor(sx);
            fx[x] = sx - x0[x];
        }
        for (int y = 0; y < h; y++) {
            float sy = (y + 0.5f) * n / h - 0.5f;
            int y0 = (int) Math.floor(sy);
            float fy = sy - y0;
            for (int x = 0; x < w; x++) {
                float v00 = at(px, off, n, x0[x], y0);
                float v10 = at(px, off, n, x0[x] + 1, y0);
                float v01 = at(px, off, n, x0[x], y0 + 1);
                float v11 = at(px, off, n, x0[x] + 1, y0 + 1);
                float top = v00 + fx[x] * (v10 - v00);
                float bot = v01 + fx[x] * (v11 - v01);
                float v = (top + fy * (bot - top)) / 255f;
                out[y * w + x] = Math.min(1f, v * ALPHA_GAIN);
            }
        }
        return out;
    }

    private static float at(byte[] px, int off, int n, int x, int y) {
        return x < 0 || y < 0 || x >= n || y >= n ? 0f : px[off + y * n + x] & 0xFF;
    }

    /** {x0, y0, x1, y1} (x1, y1 exclusive) of the pixels with alpha above the threshold, or null. */
    static int[] extent(float[] alpha, int w, int h) {
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (alpha[y * w + x] > BOX_THRESHOLD) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1 + 1, y1 + 1};
    }

    // ---- colour helpers ----------------------------------------------------------------------

    private double meanLuminance(float[] r, float[] g, float[] b, int x, int y, int w, int h) {
        double sum = 0;
        for (int yy = y; yy < y + h; yy++) {
            for (int xx = x; xx < x + w; xx++) {
                int i = yy * size + xx;
                sum += luminance(r[i], g[i], b[i]);
            }
        }
        return sum / ((double) w * h);
    }

    static double luminance(double r, double g, double b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
    }

    /** HSV in [0, 1] to RGB in [0, 1]. */
    static double[] hsvToRgb(double h, double s, double v) {
        double hh = (h - Math.floor(h)) * 6;
        int sector = Math.min(5, (int) hh);
        double f = hh - sector;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (sector) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    static float clamp01(float v) {
        return v < 0f ? 0f : Math.min(1f, v);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static int to8(float v) {
        // Non-negative after clamping, so truncation of v + 0.5 rounds (Math.round is slower).
        return (int) (clamp01(v) * 255f + 0.5f);
    }
}
