package org.diredi.vision.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;

/**
 * Training augmentation on normalised samples ({@link Preprocess}): colour jitter, then
 * horizontal flip, then scale jitter (a zoom about a random centre). Colour jitter comes first so
 * that the zoom's padding stays exactly the normalised mean (zero). Deterministic for a given
 * {@link Random} state; never modifies its input.
 */
public final class Augment {

    private static final float[] MEAN = {Preprocess.mean(0), Preprocess.mean(1), Preprocess.mean(2)};
    private static final float[] STD = {Preprocess.std(0), Preprocess.std(1), Preprocess.std(2)};

    private final AugmentConfig config;

    public Augment(AugmentConfig config) {
        this.config = config;
    }

    public AugmentConfig config() {
        return config;
    }

    /** A new augmented sample; randomness is drawn only for the transforms that are enabled. */
    public Sample apply(Sample s, Random rnd) {
        Sample out = s;
        if (config.jittersColour()) {
            double b = factor(rnd, config.brightness());
            double c = factor(rnd, config.contrast());
            double sat = factor(rnd, config.saturation());
            out = colourJitter(out, b, c, sat);
        }
        if (config.flipProbability() > 0 && rnd.nextDouble() < config.flipProbability()) {
            out = flipHorizontal(out);
        }
        if (config.zooms()) {
            double z = config.minZoom() + (config.maxZoom() - config.minZoom()) * rnd.nextDouble();
            double cx = out.width() * rnd.nextDouble();
            double cy = out.height() * rnd.nextDouble();
            out = zoom(out, z, cx, cy, config.minVisibleFraction(), config.minBoxSize());
        }
        return out == s ? new Sample(s.chw().clone(), s.width(), s.height(), s.objects()) : out;
    }

    private static double factor(Random rnd, double amount) {
        return amount == 0 ? 1 : 1 - amount + 2 * amount * rnd.nextDouble();
    }

    /** Mirrors left-right; a box (x1, x2) becomes (W - x2, W - x1). */
    public static Sample flipHorizontal(Sample s) {
        int w = s.width();
        int h = s.height();
        float[] src = s.chw();
        float[] dst = new float[src.length];
        for (int row = 0; row < 3 * h; row++) {
            int o = row * w;
            for (int x = 0; x < w; x++) {
                dst[o + x] = src[o + w - 1 - x];
            }
        }
        List<VocObject> objs = new ArrayList<>(s.objects().size());
        for (VocObject o : s.objects()) {
            Box b = o.box();
            objs.add(new VocObject(o.classId(), new Box(w - b.x2(), b.y1(), w - b.x1(), b.y2()),
                    o.difficult(), o.truncated()));
        }
        return new Sample(dst, w, h, objs);
    }

    /**
     * Zooms by {@code factor} about the fixed point ({@code cx}, {@code cy}) in pixel
     * coordinates: a point p moves to c + factor (p - c). Zooming out pads with zeros (the
     * normalised mean colour), zooming in crops. Boxes are transformed and clipped; an object is
     * dropped when less than {@code minVisible} of its transformed area stays inside or when it
     * ends up narrower or lower than {@code minSize} px. Clipped objects are marked truncated.
     */
    public static Sample zoom(Sample s, double factor, double cx, double cy, double minVisible,
            double minSize) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("zoom factor must be positive, got " + factor);
        }
        Zoom z = new Zoom(factor, cx, cy);
        float[] dst = resample(s.chw(), s.width(), s.height(), z);
        return new Sample(dst, s.width(), s.height(),
                zoomObjects(s.objects(), z, s.width(), s.height(), minVisible, minSize));
    }

    /** The map p -> c + factor (p - c) about the fixed point c = (cx, cy). */
    private record Zoom(double factor, double cx, double cy) {

        /** Continuous source coordinate (pixel centres at +0.5) of output pixel {@code x} on an axis. */
        static double source(int x, double c, double factor) {
            return c + (x + 0.5 - c) / factor - 0.5;
        }

        Box map(Box b) {
            return new Box((float) (cx + factor * (b.x1() - cx)), (float) (cy + factor * (b.y1() - cy)),
                    (float) (cx + factor * (b.x2() - cx)), (float) (cy + factor * (b.y2() - cy)));
        }
    }

    /** Bilinear resampling of the CHW planes under {@code z}; outside the source stays 0 (the mean colour). */
    private static float[] resample(float[] src, int w, int h, Zoom z) {
        int plane = w * h;
        float[] dst = new float[src.length];
        // Bilinear source position per output column; -1 marks padding.
        int[] xi = new int[w];
        float[] xf = new float[w];
        for (int x = 0; x < w; x++) {
            double sx = Zoom.source(x, z.cx(), z.factor());
            if (sx < -0.5 || sx > w - 0.5) {
                xi[x] = -1;
            } else {
                double c = Math.max(0, Math.min(w - 1, sx));
                xi[x] = Math.min((int) c, w - 2 < 0 ? 0 : w - 2);
                xf[x] = w == 1 ? 0f : (float) (c - xi[x]);
            }
        }
        for (int y = 0; y < h; y++) {
            double sy = Zoom.source(y, z.cy(), z.factor());
            if (sy < -0.5 || sy > h - 0.5) {
                continue; // row stays 0 = mean colour
            }
            double cyy = Math.max(0, Math.min(h - 1, sy));
            int y0 = Math.min((int) cyy, h - 2 < 0 ? 0 : h - 2);
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = h == 1 ? 0f : (float) (cyy - y0);
            for (int x = 0; x < w; x++) {
                int x0 = xi[x];
                if (x0 < 0) {
                    continue;
                }
                int x1 = Math.min(x0 + 1, w - 1);
                float fx = xf[x];
                for (int c = 0; c < 3; c++) {
                    int base = c * plane;
                    float a = src[base + y0 * w + x0];
                    float b = src[base + y0 * w + x1];
                    float d = src[base + y1 * w + x0];
                    float e = src[base + y1 * w + x1];
                    float top = a + fx * (b - a);
                    float bot = d + fx * (e - d);
                    dst[base + y * w + x] = top + fy * (bot - top);
                }
            }
        }
        return dst;
    }

    /** The objects' boxes under {@code z}, clipped; too little or too small left drops an object. */
    private static List<VocObject> zoomObjects(List<VocObject> objects, Zoom z, int w, int h, double minVisible,
                                               double minSize) {
        List<VocObject> objs = new ArrayList<>(objects.size());
        for (VocObject o : objects) {
            Box t = z.map(o.box());
            Box clipped = t.clip(w, h);
            float area = t.area();
            if (area <= 0 || clipped.area() < minVisible * area
                    || clipped.width() < minSize || clipped.height() < minSize) {
                continue;
            }
            boolean cut = !clipped.equals(t);
            objs.add(new VocObject(o.classId(), clipped, o.difficult(), o.truncated() || cut));
        }
        return objs;
    }

    /**
     * Brightness, contrast and saturation factors applied to the RGB image in [0, 1] (the input
     * is un-normalised first and re-normalised after), as torchvision's ColorJitter does them:
     * brightness scales, contrast blends with the mean grey level, saturation blends each pixel
     * with its own grey level. Results are clipped to [0, 1] before re-normalising.
     */
    public static Sample colourJitter(Sample s, double brightness, double contrast, double saturation) {
        int plane = s.width() * s.height();
        float[] src = s.chw();
        float[] r = new float[plane];
        float[] g = new float[plane];
        float[] b = new float[plane];
        double greySum = 0;
        float bf = (float) brightness;
        for (int i = 0; i < plane; i++) {
            r[i] = clamp01((src[i] * STD[0] + MEAN[0]) * bf);
            g[i] = clamp01((src[plane + i] * STD[1] + MEAN[1]) * bf);
            b[i] = clamp01((src[2 * plane + i] * STD[2] + MEAN[2]) * bf);
            greySum += grey(r[i], g[i], b[i]);
        }
        float meanGrey = (float) (greySum / plane);
        float cf = (float) contrast;
        float sf = (float) saturation;
        float[] dst = new float[src.length];
        for (int i = 0; i < plane; i++) {
            float rr = clamp01((r[i] - meanGrey) * cf + meanGrey);
            float gg = clamp01((g[i] - meanGrey) * cf + meanGrey);
            float bb = clamp01((b[i] - meanGrey) * cf + meanGrey);
            float gy = grey(rr, gg, bb);
            rr = clamp01(gy + sf * (rr - gy));
            gg = clamp01(gy + sf * (gg - gy));
            bb = clamp01(gy + sf * (bb - gy));
            dst[i] = (rr - MEAN[0]) / STD[0];
            dst[plane + i] = (gg - MEAN[1]) / STD[1];
            dst[2 * plane + i] = (bb - MEAN[2]) / STD[2];
        }
        return new Sample(dst, s.width(), s.height(), s.objects());
    }

    private static float grey(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    private static float clamp01(float v) {
        return v < 0f ? 0f : Math.min(1f, v);
    }
}
