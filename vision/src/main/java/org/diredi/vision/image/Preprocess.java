package org.diredi.vision.image;

import java.awt.image.BufferedImage;
import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;

/**
 * THE image-to-tensor mapping shared by training and the edge runtime, so that a model sees the
 * same numbers in both: a plain bilinear resize to the model input (no letterbox: the aspect
 * ratio may change and boxes scale by {@code inputW / width}, {@code inputH / height}), RGB,
 * channel-first, {@code (pixel / 255 - mean) / std} with the ImageNet statistics.
 */
public final class Preprocess {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private Preprocess() {}

    /** ImageNet mean of channel {@code c} (0 = R, 1 = G, 2 = B), in [0, 1] pixel units. */
    public static float mean(int c) {
        return MEAN[c];
    }

    /** ImageNet standard deviation of channel {@code c}, in [0, 1] pixel units. */
    public static float std(int c) {
        return STD[c];
    }

    /**
     * Resizes {@code img} to {@code inputW x inputH} (bilinear, pixel centres aligned, edge
     * pixels repeated) and returns it normalised as a {@code 3 x inputH x inputW} array.
     */
    public static float[] toChw(BufferedImage img, int inputW, int inputH) {
        if (inputW <= 0 || inputH <= 0) {
            throw new IllegalArgumentException("model input size must be positive, got " + inputW + "x" + inputH);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        // Bulk copy of packed pixels (per-pixel getRGB is far slower); toRgb also fixes the
        // gamma Java applies to grey images.
        BufferedImage rgbImg = img.getType() == BufferedImage.TYPE_INT_ARGB ? img : Images.toRgb(img);
        int[] px = (int[]) rgbImg.getRaster().getDataElements(0, 0, w, h, null);
        return toChw(px, w, h, inputW, inputH);
    }

    /**
     * Camera frames: {@code bgr} is OpenCV's interleaved 8-bit B, G, R layout ({@code w * h * 3} bytes);
     * the same resize and normalisation as {@link #toChw(BufferedImage, int, int)}.
     */
    public static float[] bgrToChw(byte[] bgr, int w, int h, int inputW, int inputH) {
        if (bgr.length != w * h * 3) {
            throw new IllegalArgumentException("a " + w + "x" + h + " BGR frame has " + (w * h * 3)
                    + " bytes, got " + bgr.length);
        }
        int[] px = new int[w * h];
        for (int i = 0, j = 0; i < px.length; i++, j += 3) {
            px[i] = (bgr[j + 2] & 0xFF) << 16 | (bgr[j + 1] & 0xFF) << 8 | (bgr[j] & 0xFF);
        }
        return toChw(px, w, h, inputW, inputH);
    }

    /** Packed 0xRRGGBB pixels, row-major, to the normalised CHW input. */
    private static float[] toChw(int[] px, int w, int h, int inputW, int inputH) {
        if (inputW <= 0 || inputH <= 0) {
            throw new IllegalArgumentException("model input size must be positive, got " + inputW + "x" + inputH);
        }
        int plane = inputW * inputH;
        float[] out = new float[3 * plane];
        float[] scale = new float[3];
        float[] bias = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * STD[c]);
            bias[c] = -MEAN[c] / STD[c];
        }
        int[] x0 = new int[inputW];
        int[] x1 = new int[inputW];
        float[] fx = new float[inputW];
        axis(w, inputW, x0, x1, fx);
        int[] y0 = new int[inputH];
        int[] y1 = new int[inputH];
        float[] fy = new float[inputH];
        axis(h, inputH, y0, y1, fy);
        for (int y = 0; y < inputH; y++) {
            int r0 = y0[y] * w;
            int r1 = y1[y] * w;
            float wy = fy[y];
            int o = y * inputW;
            for (int x = 0; x < inputW; x++) {
                int p00 = px[r0 + x0[x]];
                int p01 = px[r0 + x1[x]];
                int p10 = px[r1 + x0[x]];
                int p11 = px[r1 + x1[x]];
                float wx = fx[x];
                for (int c = 0, shift = 16; c < 3; c++, shift -= 8) {
                    float a = (p00 >> shift) & 0xFF;
                    float b = (p01 >> shift) & 0xFF;
                    float cc = (p10 >> shift) & 0xFF;
                    float d = (p11 >> shift) & 0xFF;
                    float top = a + wx * (b - a);
                    float bot = cc + wx * (d - cc);
                    out[c * plane + o + x] = (top + wy * (bot - top)) * scale[c] + bias[c];
                }
            }
        }
        return out;
    }

    /** Source index pair and weight per output coordinate (half-pixel centres, clamped). */
    private static void axis(int src, int dst, int[] i0, int[] i1, float[] f) {
        double ratio = (double) src / dst;
        for (int i = 0; i < dst; i++) {
            double s = (i + 0.5) * ratio - 0.5;
            if (s < 0) {
                s = 0;
            }
            int lo = Math.min((int) s, src - 1);
            i0[i] = lo;
            i1[i] = Math.min(lo + 1, src - 1);
            f[i] = i1[i] == lo ? 0f : (float) (s - lo);
        }
    }

    /** The inverse normalisation: a {@code w x h} RGB image from a CHW array (values clamped). */
    public static BufferedImage fromChw(float[] chw, int w, int h) {
        int plane = w * h;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("CHW array has " + chw.length + " floats, expected 3x"
                    + h + "x" + w);
        }
        int[] px = new int[plane];
        for (int i = 0; i < plane; i++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                float v = (chw[c * plane + i] * STD[c] + MEAN[c]) * 255f;
                int q = Math.round(v);
                rgb = (rgb << 8) | (q < 0 ? 0 : Math.min(255, q));
            }
            px[i] = rgb;
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, px, 0, w);
        return img;
    }

    /** A box of a {@code imgW x imgH} image in the coordinates of the {@code inputW x inputH} input. */
    public static Box toInput(Box box, int imgW, int imgH, int inputW, int inputH) {
        return box.scale((float) inputW / imgW, (float) inputH / imgH);
    }

    /** The inverse of {@link #toInput}: a box predicted on the input, in original image pixels. */
    public static Box toImage(Box box, int inputW, int inputH, int imgW, int imgH) {
        return box.scale((float) imgW / inputW, (float) imgH / inputH);
    }

    /** The objects of a {@code imgW x imgH} image with boxes mapped to the model input. */
    public static List<VocObject> toInput(List<VocObject> objects, int imgW, int imgH, int inputW,
            int inputH) {
        return objects.stream()
                .map(o -> new VocObject(o.classId(), toInput(o.box(), imgW, imgH, inputW, inputH),
                        o.difficult(), o.truncated()))
                .toList();
    }

    /** Image plus annotations to a model-input sample. */
    public static Sample sample(BufferedImage img, List<VocObject> objects, int inputW, int inputH) {
        return new Sample(toChw(img, inputW, inputH), inputW, inputH,
                toInput(objects, img.getWidth(), img.getHeight(), inputW, inputH));
    }
}
