package org.diredi.vision.scenes;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diredi.vision.box.Box;
import org.diredi.vision.image.Images;

/**
 * Renders one FashionScenes image: a background (photo crop or procedural texture) with tinted
 * Fashion-MNIST crops pasted on it. Pure function of (config, seed, crops): all randomness comes
 * from the given seed and only strictly specified arithmetic is used, so output is reproducible.
 * Thread-safe (photos are read-only after construction).
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

    /** One pasted object: its crop, box (continuous px corners) and pasted frame. */
    record Placed(int cropIndex, int label, Box box, int pasteX, int pasteY, int width, int height) {}

    /** A rendered scene: packed RGB pixels, what the background was, the objects in paste order. */
    record Scene(int[] rgb, String background, List<Placed> objects) {}

    /** A background photo as float planes in [0, 1]. */
    record Photo(String name, int width, int height, float[] r, float[] g, float[] b, boolean grey) {

        private static final java.util.Map<String, Photo> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        /** Decoded once per JVM: photos are immutable and decoding them dominates small runs. */
        static Photo load(String name) {
            return CACHE.computeIfAbsent(name, Photo::decode);
        }

        private static Photo decode(String name) {
            Path src = Path.of("classpath:backgrounds/" + name);
            BufferedImage img = Images.read(FashionMnist.class.getResourceAsStream("backgrounds/" + name), src);
            int w = img.getWidth();
            int h = img.getHeight();
            int[] px = img.getRGB(0, 0, w, h, null, 0, w);
            float[] r = new float[w * h];
            float[] g = new float[w * h];
            float[] b = new float[w * h];
            boolean grey = true;
            for (int i = 0; i < px.length; i++) {
                int p = px[i];
                int ri = (p >> 16) & 0xFF;
                int gi = (p >> 8) & 0xFF;
                int bi = p & 0xFF;
                grey &= ri == gi && gi == bi;
                r[i] = ri / 255f;
                g[i] = gi / 255f;
                b[i] = bi / 255f;
            }
            return new Photo(name, w, h, r, g, b, grey);
        }
    }

    private final int size;
    private final FashionScenesConfig cfg;
    private final List<Photo> photos;

    SceneRenderer(FashionScenesConfig cfg, List<Photo> photos) {
        this.cfg = cfg;
        this.size = cfg.imageSize();
        this.photos = List.copyOf(photos);
    }

    /** Objects to attempt in the image with this seed; {@link #render} draws the same number first. */
    static int objectCount(FashionScenesConfig cfg, long imageSeed) {
        return drawCount(cfg, new Random(imageSeed));
    }

    private static int drawCount(FashionScenesConfig cfg, Random rnd) {
        return cfg.minObjects() + rnd.nextInt(cfg.maxObjects() - cfg.minObjects() + 1);
    }

    Scene render(long imageSeed, FashionMnist source, int[] crops) {
        Random rnd = new Random(imageSeed);
        int n = drawCount(cfg, rnd);
        if (n != crops.length) {
            throw new IllegalArgumentException("image expects " + n + " crops, got " + crops.length);
        }
        int s = size;
        float[] r = new float[s * s];
        float[] g = new float[s * s];
        float[] b = new float[s * s];
        String background = background(rnd, r, g, b);

        List<Placed> placed = new ArrayList<>(n);
        for (int crop : crops) {
            Placed p = paste(rnd, source, crop, placed, r, g, b);
            if (p != null) {
                placed.add(p);
            }
        }
        int[] rgb = new int[s * s];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (to8(r[i]) << 16) | (to8(g[i]) << 8) | to8(b[i]);
        }
        return new Scene(rgb, background, placed);
    }

    // ---- objects -----------------------------------------------------------------------------

    private Placed paste(Random rnd, FashionMnist source, int crop, List<Placed> placed,
            float[] r, float[] g, float[] b) {
        int s = size;
        int side = cfg.minObjectSize() + rnd.nextInt(cfg.maxObjectSize() - cfg.minObjectSize() + 1);
        // Mild aspect jitter so objects of one class are not all the same shape.
        double aspect = 0.9 + 0.2 * rnd.nextDouble();
        int w = clamp((int) Math.round(side * aspect), 8, s);
        int h = clamp((int) Math.round(side / aspect), 8, s);
        float[] alpha = alphaMask(source.images(), crop, w, h);
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

    // ---- backgrounds -------------------------------------------------------------------------

    private String background(Random rnd, float[] r, float[] g, float[] b) {
        if (!photos.isEmpty() && rnd.nextBoolean()) {
            return photo(rnd, photos.get(rnd.nextInt(photos.size())), r, g, b);
        }
        return switch (rnd.nextInt(3)) {
            case 0 -> valueNoise(rnd, r, g, b);
            case 1 -> gradient(rnd, r, g, b);
            default -> stripes(rnd, r, g, b);
        };
    }

    /** A random square crop of the photo, scaled to the scene, maybe mirrored and tinted. */
    private String photo(Random rnd, Photo p, float[] r, float[] g, float[] b) {
        int s = size;
        double maxSide = Math.min(p.width(), p.height());
        double minSide = Math.min(maxSide, 0.75 * s);
        double side = minSide + (maxSide - minSide) * rnd.nextDouble();
        double ox = (p.width() - side) * rnd.nextDouble();
        double oy = (p.height() - side) * rnd.nextDouble();
        boolean flip = rnd.nextBoolean();
        double bright = 0.8 + 0.4 * rnd.nextDouble();
        double contrast = 0.8 + 0.4 * rnd.nextDouble();
        // Grey textures get a random colour cast so that colour alone cannot mark the objects.
        double[] cast = p.grey() && rnd.nextDouble() < 0.7
                ? normalisedCast(hsvToRgb(rnd.nextDouble(), 0.2 + 0.5 * rnd.nextDouble(), 1.0))
                : new double[] {1, 1, 1};
        double scale = side / s;
        int[] xi = new int[s];
        float[] xf = new float[s];
        for (int x = 0; x < s; x++) {
            int dx = flip ? s - 1 - x : x;
            double sx = ox + (dx + 0.5) * scale - 0.5;
            sx = Math.max(0, Math.min(p.width() - 1.0, sx));
            xi[x] = Math.min(p.width() - 2, (int) sx);
            xf[x] = (float) (sx - xi[x]);
        }
        float[][] src = {p.r(), p.g(), p.b()};
        float[][] dst = {r, g, b};
        for (int y = 0; y < s; y++) {
            double sy = oy + (y + 0.5) * scale - 0.5;
            sy = Math.max(0, Math.min(p.height() - 1.0, sy));
            int yi = Math.min(p.height() - 2, (int) sy);
            float fy = (float) (sy - yi);
            int row0 = yi * p.width();
            int row1 = row0 + p.width();
            for (int c = 0; c < 3; c++) {
                float[] sp = src[c];
                float[] dp = dst[c];
                float k = (float) (bright * cast[c]);
                for (int x = 0; x < s; x++) {
                    int i0 = row0 + xi[x];
                    int i1 = row1 + xi[x];
                    float top = sp[i0] + xf[x] * (sp[i0 + 1] - sp[i0]);
                    float bot = sp[i1] + xf[x] * (sp[i1 + 1] - sp[i1]);
                    float v = top + fy * (bot - top);
                    v = (float) ((v - 0.5) * contrast + 0.5) * k;
                    dp[y * s + x] = clamp01(v);
                }
            }
        }
        return "photo:" + p.name();
    }

    /** Smooth value noise (two octaves) blending two random colours. */
    private String valueNoise(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        int cells = 2 + rnd.nextInt(7);
        float[] t = new float[s * s];
        addNoiseOctave(rnd, t, cells, 1f);
        addNoiseOctave(rnd, t, cells * 2, 0.5f);
        for (int i = 0; i < t.length; i++) {
            t[i] /= 1.5f;
        }
        twoColours(rnd, t, r, g, b);
        return "procedural:noise";
    }

    private void addNoiseOctave(Random rnd, float[] t, int cells, float weight) {
        int s = size;
        int n = cells + 1;
        float[] lattice = new float[n * n];
        for (int i = 0; i < lattice.length; i++) {
            lattice[i] = rnd.nextFloat();
        }
        float step = (float) cells / s;
        for (int y = 0; y < s; y++) {
            float gy = (y + 0.5f) * step;
            int y0 = Math.min(cells - 1, (int) gy);
            float fy = smooth(gy - y0);
            for (int x = 0; x < s; x++) {
                float gx = (x + 0.5f) * step;
                int x0 = Math.min(cells - 1, (int) gx);
                float fx = smooth(gx - x0);
                float a = lattice[y0 * n + x0];
                float bb = lattice[y0 * n + x0 + 1];
                float c = lattice[(y0 + 1) * n + x0];
                float d = lattice[(y0 + 1) * n + x0 + 1];
                float top = a + fx * (bb - a);
                float bot = c + fx * (d - c);
                t[y * s + x] += weight * (top + fy * (bot - top));
            }
        }
    }

    /** Linear (random direction) or radial (random centre) gradient between two colours. */
    private String gradient(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        float[] t = new float[s * s];
        if (rnd.nextDouble() < 0.3) {
            double cx = s * rnd.nextDouble();
            double cy = s * rnd.nextDouble();
            double max = 0;
            for (int i = 0; i < t.length; i++) {
                double d = Math.sqrt(sq(i % s + 0.5 - cx) + sq(i / s + 0.5 - cy));
                t[i] = (float) d;
                max = Math.max(max, d);
            }
            for (int i = 0; i < t.length; i++) {
                t[i] /= (float) max;
            }
            twoColours(rnd, t, r, g, b);
            return "procedural:radial-gradient";
        }
        double angle = 2 * Math.PI * rnd.nextDouble();
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (int i = 0; i < t.length; i++) {
            double p = (i % s) * dx + (i / s) * dy;
            t[i] = (float) p;
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) ((t[i] - lo) / (hi - lo));
        }
        twoColours(rnd, t, r, g, b);
        return "procedural:gradient";
    }

    /** Soft-edged stripes of random period and direction in two colours. */
    private String stripes(Random rnd, float[] r, float[] g, float[] b) {
        int s = size;
        double angle = Math.PI * rnd.nextDouble();
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double period = 6 + (s / 3.0 - 6) * rnd.nextDouble();
        double phase = rnd.nextDouble();
        float[] t = new float[s * s];
        for (int i = 0; i < t.length; i++) {
            double u = ((i % s) * dx + (i / s) * dy) / period + phase;
            u -= Math.floor(u);
            double tri = Math.abs(2 * u - 1); // 0 mid-stripe .. 1 at the other stripe's centre
            t[i] = clamp01((float) ((tri - 0.5) * period / 2 + 0.5)); // edges ~2 px wide
        }
        twoColours(rnd, t, r, g, b);
        return "procedural:stripes";
    }

    /** Maps t in [0, 1] to a blend of two random colours plus faint per-pixel grain. */
    private static void twoColours(Random rnd, float[] t, float[] r, float[] g, float[] b) {
        double[] c0 = hsvToRgb(rnd.nextDouble(), rnd.nextDouble(), 0.15 + 0.85 * rnd.nextDouble());
        double[] c1 = hsvToRgb(rnd.nextDouble(), rnd.nextDouble(), 0.15 + 0.85 * rnd.nextDouble());
        for (int i = 0; i < t.length; i++) {
            float v = t[i];
            float grain = (rnd.nextFloat() - 0.5f) * 0.04f;
            r[i] = clamp01((float) (c0[0] + v * (c1[0] - c0[0])) + grain);
            g[i] = clamp01((float) (c0[1] + v * (c1[1] - c0[1])) + grain);
            b[i] = clamp01((float) (c0[2] + v * (c1[2] - c0[2])) + grain);
        }
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

    private static double[] normalisedCast(double[] c) {
        double l = luminance(c[0], c[1], c[2]);
        return new double[] {c[0] / l, c[1] / l, c[2] / l};
    }

    private static float smooth(float f) {
        return f * f * (3 - 2 * f);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static float clamp01(float v) {
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
