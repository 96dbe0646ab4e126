package org.diredi.vision.eval;

import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.box.Nms;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pascal VOC detection evaluation (AP per class, mAP, and P/R/F1 at a score threshold).
 *
 * <p>Matching follows the VOC devkit's {@code voc_eval} exactly, per class:
 * <ol>
 *   <li>All detections of the class, over the whole dataset, are visited by score descending.
 *       Ties keep a fixed order (images in ground-truth list order, then each image's list order);
 *       the devkit's unstable sort leaves this unspecified.</li>
 *   <li>A detection is compared with every ground-truth box of its class in its image, difficult
 *       ones included, and takes the one with the highest IoU (first on ties), whether or not it is
 *       already matched.</li>
 *   <li>If that IoU is <b>strictly greater</b> than the threshold ({@code ovmax > ovthresh}):
 *       a difficult box makes the detection ignored (neither TP nor FP); an unmatched box makes
 *       it a TP and marks the box; an already matched box makes it a FP (duplicate).
 *       Otherwise it is a FP.</li>
 *   <li>Positives (recall's denominator) are the non-difficult boxes, so a missed difficult box is
 *       not a false negative.</li>
 * </ol>
 * IoU is {@link Box#iou}: continuous coordinates, no devkit "+1" pixel convention (the VOC reader
 * already converted the 1-based corners), so numbers can differ slightly from the devkit's on tiny
 * boxes.
 *
 * <p>P/R/F1 use the same matching restricted to detections with {@code score >= scoreThreshold}.
 * Because matching is greedy by score, that is exactly the prefix of the AP pass, so both come
 * from one pass.
 */
public final class VocEvaluator {

    private VocEvaluator() {}

    /** {@link #evaluate(List, Map, ClassList, EvalConfig)} with {@link EvalConfig#DEFAULT}. */
    public static EvalResult evaluate(List<VocImage> groundTruth, Map<String, List<Detection>> detections,
                                      ClassList classes) {
        return evaluate(groundTruth, detections, classes, EvalConfig.DEFAULT);
    }

    /**
     * Evaluates {@code detections} (image id to that image's detections; images without an entry
     * have none) against {@code groundTruth}. Detections of classes outside the evaluated set are
     * ignored.
     *
     * @throws IllegalArgumentException on duplicate image ids, detections for an image that is not in
     *                                  the ground truth (likely a split mix-up), class ids outside
     *                                  {@code classes}, or a NaN detection score
     */
    public static EvalResult evaluate(List<VocImage> groundTruth, Map<String, List<Detection>> detections,
                                      ClassList classes, EvalConfig config) {
        Objects.requireNonNull(config, "config");
        int numImages = groundTruth.size();
        checkImageIds(groundTruth, detections);
        ByClass byClass = ByClass.of(groundTruth, detections, classes.size());
        int[] numGt = positives(byClass.gt());
        List<Integer> evaluated = evaluatedClasses(config, numGt);
        List<ClassResult> results = new ArrayList<>(evaluated.size());
        for (int c : evaluated) {
            results.add(evaluateClass(c, classes.name(c), byClass.gt()[c], numGt[c], byClass.det()[c], numImages,
                    config));
        }
        return summarise(results, numImages, config);
    }

    /** Image ids must be unique, and every image with detections must be in the ground truth. */
    static void checkImageIds(List<VocImage> groundTruth, Map<String, List<Detection>> detections) {
        int numImages = groundTruth.size();
        Map<String, Integer> imageIndex = new HashMap<>(numImages * 2);
        for (int m = 0; m < numImages; m++) {
            if (imageIndex.put(groundTruth.get(m).id(), m) != null) {
                throw new IllegalArgumentException("image id '" + groundTruth.get(m).id() + "' appears twice in the ground truth");
            }
        }
        for (String id : detections.keySet()) {
            if (!imageIndex.containsKey(id)) {
                throw new IllegalArgumentException("detections for image '" + id + "', which is not in the ground truth");
            }
        }
    }

    /** Per class, the non-difficult ground-truth boxes (recall's denominator). */
    private static int[] positives(Boxes[] gt) {
        int[] numGt = new int[gt.length];
        for (int c = 0; c < gt.length; c++) {
            Boxes g = gt[c];
            for (int i = 0; i < g.n; i++) {
                if (g.value[i] == 0f) {
                    numGt[c]++;
                }
            }
        }
        return numGt;
    }

    /** The configured class ids, or by default every class with at least one positive. */
    private static List<Integer> evaluatedClasses(EvalConfig config, int[] numGt) {
        int numClasses = numGt.length;
        List<Integer> evaluated = new ArrayList<>();
        if (config.classIds() == null) {
            for (int c = 0; c < numClasses; c++) {
                if (numGt[c] > 0) {
                    evaluated.add(c);
                }
            }
        } else {
            for (int c : config.classIds()) {
                if (c >= numClasses) {
                    throw new IllegalArgumentException("config class id " + c + " is outside the class list (" + numClasses + " classes)");
                }
                evaluated.add(c);
            }
        }
        return evaluated;
    }

    /** mAP over the classes with ground truth; P/R/F1 from the TP/FP/FN summed over all evaluated classes. */
    private static EvalResult summarise(List<ClassResult> results, int numImages, EvalConfig config) {
        double apSum = 0;
        int apCount = 0;
        int tpAll = 0;
        int fpAll = 0;
        int fnAll = 0;
        for (ClassResult r : results) {
            if (r.hasGroundTruth()) {
                apSum += r.ap();
                apCount++;
            }
            tpAll += r.tp();
            fpAll += r.fp();
            fnAll += r.fn();
        }
        double map = apCount == 0 ? Double.NaN : apSum / apCount;
        double p = ratio(tpAll, tpAll + fpAll);
        double rc = ratio(tpAll, tpAll + fnAll);
        return new EvalResult(map, numImages, results, tpAll, fpAll, fnAll, p, rc, f1(p, rc), config);
    }

    /**
     * Average precision of a precision/recall curve given point by point in detection order
     * ({@code recall} non-decreasing), as in the VOC devkit's {@code voc_ap}.
     *
     * <p>{@link ApMethod#ALL_POINT}: the curve is extended with (0, 0) in front and (1, 0) at the
     * end, precision is replaced by its envelope (max over this and higher recall), and AP is the
     * sum of envelope × recall increase over the points where recall increases.
     *
     * <p>{@link ApMethod#ELEVEN_POINT}: mean over t = 0, 0.1, ..., 1 of the maximum precision among
     * points with recall &gt;= t (0 if none). The thresholds are computed as k/10, so a recall of
     * exactly 0.3 reaches t = 0.3 (the devkit's {@code np.arange} gives 0.30000000000000004 there).
     *
     * @return AP in [0, 1]; 0 for an empty curve
     */
    public static double averagePrecision(double[] recall, double[] precision, ApMethod method) {
        if (recall.length != precision.length) {
            throw new IllegalArgumentException("recall has " + recall.length + " points, precision " + precision.length);
        }
        int n = recall.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(recall[i]) || Double.isNaN(precision[i])) {
                throw new IllegalArgumentException("NaN in the precision/recall curve at point " + i);
            }
            if (i > 0 && recall[i] < recall[i - 1]) {
                throw new IllegalArgumentException("recall decreases at point " + i + ": " + recall[i - 1] + " -> " + recall[i]);
            }
        }
        if (method == ApMethod.ELEVEN_POINT) {
            double sum = 0;
            for (int k = 0; k <= 10; k++) {
                double t = k / 10.0;
                double best = 0;
                for (int i = 0; i < n; i++) {
                    if (recall[i] >= t && precision[i] > best) {
                        best = precision[i];
                    }
                }
                sum += best;
            }
            return sum / 11;
        }
        // Walking backwards keeps the running envelope in one variable instead of an extended copy.
        double ap = 0;
        double envelope = 0;           // precision envelope at recall > recall[i], starts with the (1, 0) sentinel
        double nextRecall = 1.0;       // recall of the point after i (the sentinel first)
        for (int i = n - 1; i >= -1; i--) {
            double r = i >= 0 ? recall[i] : 0.0;
            double p = i >= 0 ? precision[i] : 0.0;
            if (nextRecall != r) {
                ap += (nextRecall - r) * envelope;
            }
            envelope = Math.max(envelope, p);
            nextRecall = r;
        }
        return ap;
    }

    private static ClassResult evaluateClass(int c, String name, Boxes g, int npos, Boxes d, int numImages,
                                             EvalConfig config) {
        int[] off = imageOffsets(g, numImages);
        boolean[] matched = new boolean[g.n];
        int[] order = Nms.orderByScoreDesc(d.value) /* capacity == n */;
        double thr = config.iouThreshold();
        double scoreThr = config.scoreThreshold();

        // PR points only for TP/FP detections: an ignored detection repeats the previous point in the
        // devkit's cumsum, which changes neither AP method.
        double[] rec = new double[order.length];
        double[] prec = new double[order.length];
        int points = 0;
        int tp = 0;
        int fp = 0;
        int tpAt = 0;
        int fpAt = 0;
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            int m = d.image[i];
            int j = bestMatch(d, i, g, off[m], off[m + 1], thr);
            if (j >= 0 && g.value[j] != 0f) {
                continue; // matched a difficult object: ignored
            }
            if (j >= 0 && !matched[j]) {
                matched[j] = true;
                tp++;
            } else {
                fp++; // no overlap above the threshold, or a duplicate of a matched box
            }
            if (d.value[i] >= scoreThr) {
                tpAt = tp;
                fpAt = fp;
            }
            rec[points] = npos == 0 ? 0 : (double) tp / npos;
            prec[points] = (double) tp / (tp + fp);
            points++;
        }
        double ap = npos == 0 ? Double.NaN
                : averagePrecision(Arrays.copyOf(rec, points), Arrays.copyOf(prec, points), config.apMethod());
        int fnAt = npos - tpAt;
        double p = ratio(tpAt, tpAt + fpAt);
        double r = ratio(tpAt, npos);
        return new ClassResult(c, name, ap, npos, g.n - npos, d.n, tpAt, fpAt, fnAt, p, r, f1(p, r));
    }

    /** Per image, the range [off[m], off[m+1]) of one class's ground-truth boxes (they are in image order). */
    private static int[] imageOffsets(Boxes g, int numImages) {
        int[] off = new int[numImages + 1];
        for (int i = 0; i < g.n; i++) {
            off[g.image[i] + 1]++;
        }
        for (int m = 0; m < numImages; m++) {
            off[m + 1] += off[m];
        }
        return off;
    }

    /**
     * The ground-truth box in [from, to) with the highest IoU with detection {@code i} (first on
     * ties, matched or not, difficult included), or -1 unless that IoU is strictly above {@code thr}.
     */
    private static int bestMatch(Boxes d, int i, Boxes g, int from, int to, double thr) {
        double ovmax = Double.NEGATIVE_INFINITY;
        int jmax = -1;
        for (int j = from; j < to; j++) {
            double ov = iou(d, i, g, j);
            if (ov > ovmax) {
                ovmax = ov;
                jmax = j;
            }
        }
        return ovmax > thr ? jmax : -1;
    }

    private static double iou(Boxes a, int i, Boxes b, int j) {
        float iw = Math.min(a.x2[i], b.x2[j]) - Math.max(a.x1[i], b.x1[j]);
        float ih = Math.min(a.y2[i], b.y2[j]) - Math.max(a.y1[i], b.y1[j]);
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        float inter = iw * ih;
        float union = a.area[i] + b.area[j] - inter;
        return union <= 0 ? 0 : inter / union; // float arithmetic, as Box.iou, so both agree exactly
    }

    private static double ratio(int num, int den) {
        return den == 0 ? 0 : (double) num / den;
    }

    private static double f1(double p, double r) {
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    private static int checkClass(int id, int numClasses, String image, String what) {
        if (id < 0 || id >= numClasses) {
            throw new IllegalArgumentException(what + " in image '" + image + "' has class id " + id
                    + " outside the class list (" + numClasses + " classes)");
        }
        return id;
    }

    private static List<Detection> detectionsOf(Map<String, List<Detection>> detections, String id) {
        List<Detection> l = detections.get(id);
        return l == null ? List.of() : l;
    }

    /**
     * Ground truth (value: 1 if difficult) and detections (value: score) bucketed by class in one
     * pass each, in image order, so that one class's boxes of one image are contiguous and ties
     * sort deterministically.
     */
    private record ByClass(Boxes[] gt, Boxes[] det) {

        static ByClass of(List<VocImage> groundTruth, Map<String, List<Detection>> detections, int numClasses) {
            int[] gtCount = new int[numClasses];
            int[] detCount = new int[numClasses];
            for (VocImage img : groundTruth) {
                for (VocObject o : img.objects()) {
                    gtCount[checkClass(o.classId(), numClasses, img.id(), "ground-truth object")]++;
                }
                for (Detection d : detectionsOf(detections, img.id())) {
                    if (Float.isNaN(d.score())) {
                        throw new IllegalArgumentException("detection with NaN score in image '" + img.id() + "'");
                    }
                    detCount[checkClass(d.classId(), numClasses, img.id(), "detection")]++;
                }
            }
            Boxes[] gt = new Boxes[numClasses];
            Boxes[] det = new Boxes[numClasses];
            for (int c = 0; c < numClasses; c++) {
                gt[c] = new Boxes(gtCount[c]);
                det[c] = new Boxes(detCount[c]);
            }
            for (int m = 0; m < groundTruth.size(); m++) {
                VocImage img = groundTruth.get(m);
                for (VocObject o : img.objects()) {
                    gt[o.classId()].add(m, o.box(), o.difficult() ? 1f : 0f);
                }
                for (Detection d : detectionsOf(detections, img.id())) {
                    det[d.classId()].add(m, d.box(), d.score());
                }
            }
            return new ByClass(gt, det);
        }
    }

    /** Structure-of-arrays boxes of one class: image index, corners, area, and a value (score or difficult flag). */
    private static final class Boxes {
        final int[] image;
        final float[] x1;
        final float[] y1;
        final float[] x2;
        final float[] y2;
        final float[] area;
        final float[] value;
        int n;

        Boxes(int capacity) {
            image = new int[capacity];
            x1 = new float[capacity];
            y1 = new float[capacity];
            x2 = new float[capacity];
            y2 = new float[capacity];
            area = new float[capacity];
            value = new float[capacity];
        }

        void add(int img, Box b, float v) {
            image[n] = img;
            x1[n] = b.x1();
            y1[n] = b.y1();
            x2[n] = b.x2();
            y2[n] = b.y2();
            area[n] = b.area();
            value[n] = v;
            n++;
        }
    }
}
