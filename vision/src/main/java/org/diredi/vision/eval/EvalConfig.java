package org.diredi.vision.eval;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one VOC evaluation.
 *
 * @param iouThreshold   a detection matches a ground-truth box only if IoU is strictly greater
 *                       than this (VOC devkit: {@code ovmax > ovthresh}), in [0, 1]; VOC uses 0.5
 * @param apMethod       AP interpolation
 * @param scoreThreshold detections with {@code score >= scoreThreshold} count for P/R/F1 (AP
 *                       always uses every detection)
 * @param classIds       class ids to evaluate, or {@code null} for every class with at least one
 *                       non-difficult ground-truth object; iterates in ascending order
 */
public record EvalConfig(double iouThreshold, ApMethod apMethod, double scoreThreshold, Set<Integer> classIds) {

    /**
     * VOC's IoU 0.5 and all-point AP; P / R / F1 at score 0.5. FCOS scores are
     * sqrt(class probability x center-ness), so 0.5 is a class probability near 0.3 on a central
     * location; on FashionScenes it is close to the F1-optimal operating point (0.3 gave a
     * precision of 0.14 against 0.58 at 0.5 for the cpu edge model).
     */
    public static final EvalConfig DEFAULT = new EvalConfig(0.5, ApMethod.ALL_POINT, 0.5, null);

    public EvalConfig {
        if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("iouThreshold must be in [0, 1]: " + iouThreshold);
        }
        Objects.requireNonNull(apMethod, "apMethod");
        if (Double.isNaN(scoreThreshold)) {
            throw new IllegalArgumentException("scoreThreshold is NaN");
        }
        if (classIds != null) {
            if (classIds.isEmpty()) {
                // An empty selection is almost surely a bug upstream; null already means "default".
                throw new IllegalArgumentException("classIds is empty; use null for the default selection");
            }
            for (Integer id : classIds) {
                if (id == null || id < 0) {
                    throw new IllegalArgumentException("invalid class id in classIds: " + id);
                }
            }
            classIds = Collections.unmodifiableSortedSet(new TreeSet<>(classIds));
        }
    }

    public EvalConfig withIouThreshold(double t) {
        return new EvalConfig(t, apMethod, scoreThreshold, classIds);
    }

    public EvalConfig withApMethod(ApMethod m) {
        return new EvalConfig(iouThreshold, m, scoreThreshold, classIds);
    }

    public EvalConfig withScoreThreshold(double t) {
        return new EvalConfig(iouThreshold, apMethod, t, classIds);
    }

    /** {@code null} restores the default selection. */
    public EvalConfig withClassIds(Collection<Integer> ids) {
        return new EvalConfig(iouThreshold, apMethod, scoreThreshold, ids == null ? null : new TreeSet<>(ids));
    }
}
