package org.diredi.vision.box;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy non-maximum suppression.
 *
 * <p>Rules, shared by both variants:
 * <ul>
 *   <li>Candidates are visited by score, highest first; equal scores keep their input order
 *       (stable), so the result is deterministic.</li>
 *   <li>A candidate is suppressed when its IoU with an already kept box is <b>strictly greater</b>
 *       than {@code iouThreshold}; IoU exactly at the threshold is kept (same convention as
 *       torchvision's {@code nms}). IoU is {@link Box#iou}'s: continuous coordinates, empty boxes
 *       overlap nothing.</li>
 *   <li>At most {@code maxDetections} are kept (the highest-scoring survivors); the result is
 *       sorted by score descending.</li>
 *   <li>Detections with a NaN score cannot be ranked and are dropped.</li>
 * </ul>
 *
 * <p>Cost is O(n log n + n·k) for n candidates and k kept boxes: each candidate is only compared
 * with the kept boxes, which is why a small {@code maxDetections} also makes NMS cheap.
 */
public final class Nms {

    private Nms() {}

    /** Suppresses only within the same {@link Detection#classId()}; boxes of different classes never suppress each other. */
    public static List<Detection> classWise(List<Detection> dets, float iouThreshold, int maxDetections) {
        return run(dets, iouThreshold, maxDetections, true);
    }

    /** Suppresses across classes: any kept box suppresses any lower-scoring overlapping box. */
    public static List<Detection> classAgnostic(List<Detection> dets, float iouThreshold, int maxDetections) {
        return run(dets, iouThreshold, maxDetections, false);
    }

    /**
     * Indices of {@code scores} sorted by score descending, ties by ascending index; NaN scores are
     * left out. Packs (score, index) into one long so the sort is a primitive sort without boxing.
     */
    public static int[] orderByScoreDesc(float[] scores) {
        long[] keys = new long[scores.length];
        int m = 0;
        for (int i = 0; i < scores.length; i++) {
            float s = scores[i];
            if (Float.isNaN(s)) {
                continue;
            }
            // 0f and -0f would be ordered apart by their bits; they are the same score.
            int bits = Float.floatToIntBits(s == 0f ? 0f : s);
            int sortable = bits < 0 ? bits ^ 0x7fffffff : bits; // signed int order == float order
            keys[m++] = ((long) ~sortable << 32) | i;          // ~ flips to descending
        }
        Arrays.sort(keys, 0, m);
        int[] order = new int[m];
        for (int k = 0; k < m; k++) {
            order[k] = (int) keys[k];
        }
        return order;
    }

    private static List<Detection> run(List<Detection> dets, float iouThreshold, int maxDetections, boolean perClass) {
        if (Float.isNaN(iouThreshold)) {
            throw new IllegalArgumentException("iouThreshold is NaN");
        }
        if (maxDetections < 0) {
            throw new IllegalArgumentException("maxDetections must be >= 0: " + maxDetections);
        }
        int n = dets.size();
        float[] scores = new float[n];
        float[] x1 = new float[n];
        float[] y1 = new float[n];
        float[] x2 = new float[n];
        float[] y2 = new float[n];
        float[] area = new float[n];
        int[] cls = new int[n];
        for (int i = 0; i < n; i++) {
            Detection d = dets.get(i);
            Box b = d.box();
            scores[i] = d.score();
            x1[i] = b.x1();
            y1[i] = b.y1();
            x2[i] = b.x2();
            y2[i] = b.y2();
            area[i] = b.area();
            cls[i] = d.classId();
        }
        int[] order = orderByScoreDesc(scores);
        int cap = Math.min(order.length, maxDetections);
        int[] kept = new int[cap];
        int nk = 0;
        for (int k = 0; k < order.length && nk < cap; k++) {
            int i = order[k];
            boolean suppressed = false;
            for (int j = 0; j < nk; j++) {
                int o = kept[j];
                if (perClass && cls[o] != cls[i]) {
                    continue;
                }
                if (iou(x1, y1, x2, y2, area, i, o) > iouThreshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept[nk++] = i;
            }
        }
        List<Detection> out = new ArrayList<>(nk);
        for (int j = 0; j < nk; j++) {
            out.add(dets.get(kept[j]));
        }
        return out;
    }

    // Same arithmetic as Box.iou, on the unpacked arrays.
    private static float iou(float[] x1, float[] y1, float[] x2, float[] y2, float[] area, int a, int b) {
        float iw = Math.min(x2[a], x2[b]) - Math.max(x1[a], x1[b]);
        float ih = Math.min(y2[a], y2[b]) - Math.max(y1[a], y1[b]);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        float union = area[a] + area[b] - inter;
        return union <= 0 ? 0f : inter / union;
    }
}
