package org.diredi.vision.scenes;

import static org.diredi.vision.scenes.SceneRenderer.clamp01;
import static org.diredi.vision.scenes.SceneRenderer.hsvToRgb;
import static org.diredi.vision.scenes.SceneRenderer.luminance;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.diredi.vision.image.Images;

/**
 * FashionScenes' backgrounds: half of the scenes a crop of a real photo (scaled, mirrored, tinted),
 * the others a procedural texture (value noise, linear or radial gradient, stripes).
 */
final class FashionScenery implements Scenery {

    static final List<String> PROCEDURAL = List.of("noise", "gradient", "radial-gradient", "stripes");

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
    private final List<Photo> photos;

    FashionScenery(int size, List<Photo> photos) {
        this.size = size;
        this.photos = List.copyOf(photos);
    }

    @Override
    public String background(Random rnd, float[] r, float[] g, float[] b) {
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
}
