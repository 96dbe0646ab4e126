package org.diredi.vision.fcos;

import java.util.ArrayList;
import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.box.Nms;

/**
 * FCOS post-processing on plain float arrays (the same code for DJL, ONNX Runtime and the edge
 * runtime): score = sqrt(sigmoid(class logit) * sigmoid(center-ness logit)), candidates above a
 * score threshold (top-k by score), boxes from the location and the (l, t, r, b) distances, clipped
 * to the input, scaled to the original image, then class-wise NMS.
 */
public final class FcosDecoder {

    /** Post-processing settings; FCOS's defaults except NMS IoU 0.6 (DESIGN.md §1). */
    public record Config(float scoreThreshold, int preNmsTopK, float nmsIou, int maxDetections) {
        public static final Config EVAL = new Config(0.05f, 1000, 0.6f, 100);
    }

    private final FcosGrid grid;
    private final int numClasses;
    private final Config config;

    public FcosDecoder(FcosGrid grid, int numClasses, Config config) {
        this.grid = grid;
        this.numClasses = numClasses;
        this.config = config;
    }

    /**
     * Decodes one image.
     *
     * @param cls    class logits, location-major: {@code cls[k * C + c]}
     * @param box    distances in input pixels: {@code box[k * 4 + {0:l, 1:t, 2:r, 3:b}]}
     * @param ctr    center-ness logits per location
     * @param imageW original image width (boxes are scaled back from the square input)
     * @param imageH original image height
     */
    public List<Detection> decode(float[] cls, float[] box, float[] ctr, int imageW, int imageH) {
        int n = grid.size();
        if (cls.length != n * numClasses || box.length != n * 4 || ctr.length != n) {
            throw new IllegalArgumentException("FCOS outputs do not match the grid: expected "
                    + n + " locations x " + numClasses + " classes, got cls " + cls.length + ", box "
                    + box.length + ", centerness " + ctr.length);
        }
        // Threshold on the logit first: sqrt(sigmoid(a) sigmoid(b)) > t needs sigmoid(a) > t^2.
        float t2 = config.scoreThreshold() * config.scoreThreshold();
        float minLogit = (float) Math.log(t2 / (1 - t2));
        int cap = Math.max(1, config.preNmsTopK());
        float[] candScore = new float[Math.min(cap * 4, n * numClasses)];
        int[] candIndex = new int[candScore.length];
        int m = 0;
        for (int k = 0; k < n; k++) {
            float c = sigmoid(ctr[k]);
            int base = k * numClasses;
            for (int j = 0; j < numClasses; j++) {
                float logit = cls[base + j];
                if (logit <= minLogit) {
                    continue;
                }
                float s = (float) Math.sqrt(sigmoid(logit) * c);
                if (s <= config.scoreThreshold()) {
                    continue;
                }
                if (m == candScore.length) {
                    m = keepTop(candScore, candIndex, m, cap);
                }
                candScore[m] = s;
                candIndex[m++] = base + j;
            }
        }
        m = keepTop(candScore, candIndex, m, cap);
        float sx = imageW / (float) grid.inputSize();
        float sy = imageH / (float) grid.inputSize();
        float size = grid.inputSize();
        List<Detection> dets = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            int k = candIndex[i] / numClasses;
            int c = candIndex[i] % numClasses;
            float px = grid.x(k);
            float py = grid.y(k);
            Box b = new Box(px - box[k * 4], py - box[k * 4 + 1], px + box[k * 4 + 2], py + box[k * 4 + 3])
                    .clip(size, size).scale(sx, sy);
            if (b.width() > 0 && b.height() > 0) {
                dets.add(new Detection(c, candScore[i], b));
            }
        }
        return Nms.classWise(dets, config.nmsIou(), config.maxDetections());
    }

    /** Keeps the {@code cap} best of the first {@code m} candidates (partial selection, in place). */
    private static int keepTop(float[] score, int[] index, int m, int cap) {
        if (m <= cap) {
            return m;
        }
        // sort indices by score descending; m is at most 4 * cap so a full sort is cheap
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(score[b], score[a]));
        float[] s2 = new float[cap];
        int[] i2 = new int[cap];
        for (int i = 0; i < cap; i++) {
            s2[i] = score[order[i]];
            i2[i] = index[order[i]];
        }
        System.arraycopy(s2, 0, score, 0, cap);
        System.arraycopy(i2, 0, index, 0, cap);
        return cap;
    }

    static float sigmoid(float v) {
        return (float) (1.0 / (1.0 + Math.exp(-v)));
    }
}
