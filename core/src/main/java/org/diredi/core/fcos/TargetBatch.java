package org.diredi.core.fcos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * FCOS targets of a batch as NDArrays: one-hot classes (N, L, C), box distances (N, L, 4),
 * center-ness (N, L), positive mask (N, L), plus the counts the loss normalises by.
 */
public record TargetBatch(NDArray classes, NDArray boxes, NDArray centerness, NDArray positive,
                          int positives, float centernessSum) {

    /** Packs per-image targets (built on the loader thread) into arrays on {@code manager}. */
    public static TargetBatch of(NDManager manager, List<FcosTargets.Image> images, int numClasses) {
        int n = images.size();
        int l = images.get(0).label().length;
        float[] onehot = new float[n * l * numClasses];
        float[] box = new float[n * l * 4];
        float[] ctr = new float[n * l];
        float[] pos = new float[n * l];
        int positives = 0;
        double ctrSum = 0;
        for (int i = 0; i < n; i++) {
            FcosTargets.Image t = images.get(i);
            System.arraycopy(t.box(), 0, box, i * l * 4, l * 4);
            for (int k = 0; k < l; k++) {
                int c = t.label()[k];
                if (c >= 0) {
                    onehot[(i * l + k) * numClasses + c] = 1f;
                    pos[i * l + k] = 1f;
                    ctr[i * l + k] = t.centerness()[k];
                    ctrSum += t.centerness()[k];
                    positives++;
                }
            }
        }
        return new TargetBatch(
                manager.create(onehot, new Shape(n, l, numClasses)),
                manager.create(box, new Shape(n, l, 4)),
                manager.create(ctr, new Shape(n, l)),
                manager.create(pos, new Shape(n, l)),
                positives, (float) ctrSum);
    }
}
