package org.diredi.vision.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;

/**
 * COCO-style detection AP (pycocotools' {@code COCOeval} for boxes, area range "all"): AP averaged
 * over the IoU thresholds .50:.05:.95, and AP50 and AP75, each the mean over classes with ground
 * truth of a 101-point interpolated precision.
 *
 * <p>Per class, image and threshold t, as {@code evaluateImg}: the image's top {@value #MAX_DETECTIONS}
 * detections by score are matched in score order, each to the ground-truth box with the highest IoU
 * {@code >= t} among those not yet matched (the last on ties), preferring ordinary boxes to ignored
 * ones. Ignored boxes are VOC's difficult objects and COCO's crowd regions ({@link VocObject#difficult()});
 * they are never used up, and a detection matched to one is neither a true nor a false positive. Then,
 * as {@code accumulate}: all matched detections by score (ties in image order), precision made
 * non-increasing from the right, sampled at recall 0, 0.01, ..., 1 (the first point reaching each
 * recall; 0 past the last), averaged.
 *
 * <p>One difference from pycocotools: an ignored box is matched by IoU, where COCO matches a crowd
 * region by intersection over the detection's area (a VOC difficult object is one object, not a
 * region). The VOC numbers ({@link VocEvaluator}) are computed separately and unchanged.
 */
public final class CocoEvaluator {

    /** Detections kept per image and class (COCO's {@code maxDets} for AP). */
    public static final int MAX_DETECTIONS = 100;

    /** Recall points of the interpolation: 0, 0.01, ..., 1. */
    public static final int RECALL_POINTS = 101;

    /** 0.5, 0.55, ..., 0.95, computed as numpy's {@code linspace} does, so threshold ties fall as in pycocotools. */
    private static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);

    private static final double[] RECALLS = linspace(0, 1, RECALL_POINTS);

    private CocoEvaluator() {}

    /** The IoU thresholds, .50:.05:.95. */
    public static double[] iouThresholds() {
        return IOU_THRESHOLDS.clone();
    }

    /**
     * Evaluates {@code detections} (image id to detections) against {@code groundTruth}; of
     * {@code config} only {@link EvalConfig#classIds()} is used (null: every class with ground truth).
     *
     * @throws IllegalArgumentException as {@link VocEvaluator#evaluate} does for the same input
     */
    public static CocoResult evaluate(List<VocImage> groundTruth, Map<String, List<Detection>> detections,
                                      ClassList classes, EvalConfig config) {
        Objects.requireNonNull(config, "config");
        VocEvaluator.checkImageIds(groundTruth, detections);
        List<CocoResult.ClassAp> results = new ArrayList<>();
        for (int c : classIds(groundTruth, detections, classes, config)) {
            PerClass pc = PerClass.of(groundTruth, detections, c);
            if (pc.positives() == 0) {
                continue; // AP is undefined without positives (pycocotools leaves such a class out too)
            }
            double[] ap = new double[IOU_THRESHOLDS.length];
            for (int t = 0; t < ap.length; t++) {
                ap[t] = averagePrecision(pc, IOU_THRESHOLDS[t]);
            }
            results.add(new CocoResult.ClassAp(c, classes.name(c), pc.positives(), mean(ap), ap[0], ap[5]));
        }
        return CocoResult.of(results, groundTruth.size());
    }

    private static List<Integer> classIds(List<VocImage> groundTruth, Map<String, List<Detection>> detections,
                                          ClassList classes, EvalConfig config) {
        int n = classes.size();
        for (VocImage img : groundTruth) {
            for (VocObject o : img.objects()) {
                checkClass(o.classId(), n, img.id(), "ground-truth object");
            }
            for (Detection d : detections.getOrDefault(img.id(), List.of())) {
                if (Float.isNaN(d.score())) {
                    throw new IllegalArgumentException("detection with NaN score in image '" + img.id() + "'");
                }
                checkClass(d.classId(), n, img.id(), "detection");
            }
        }
        if (config.classIds() == null) {
            return java.util.stream.IntStream.range(0, n).boxed().toList();
        }
        for (int c : config.classIds()) {
            checkClass(c, n, "-", "config class id");
        }
        return List.copyOf(config.classIds());
    }

    private static void checkClass(int id, int n, String image, String what) {
        if (id < 0 || id >= n) {
            throw new IllegalArgumentException(what + " in image '" + image + "' has class id " + id
                    + " outside the class list (" + n + " classes)");
        }
    }

    /** 101-point interpolated AP of one class at IoU threshold {@code t}. */
    static double averagePrecision(PerClass pc, double t) {
        List<Scored> scored = new ArrayList<>();
        for (int m = 0; m < pc.images().size(); m++) {
            ImageBoxes ib = pc.images().get(m);
            boolean[] used = new boolean[ib.gt().size()];
            for (int k = 0; k < ib.det().size(); k++) {
                Detection d = ib.det().get(k);
                int j = match(d.box(), ib, used, t);
                if (j >= 0 && ib.ignored()[j]) {
                    continue; // on an ignored box: neither TP nor FP
                }
                if (j >= 0) {
                    used[j] = true;
                }
                scored.add(new Scored(d.score(), m, k, j >= 0));
            }
        }
        scored.sort(Comparator.comparingDouble((Scored s) -> -s.score()).thenComparingInt(Scored::image)
                .thenComparingInt(Scored::rank));
        return interpolated(scored, pc.positives());
    }

    /**
     * The ground-truth box detection {@code d} matches at threshold {@code t}, or -1 ({@code evaluateImg}'s
     * loop: the boxes are ordered ordinary first, then ignored).
     */
    private static int match(Box d, ImageBoxes ib, boolean[] used, double t) {
        double best = Math.min(t, 1 - 1e-10);
        int m = -1;
        for (int j = 0; j < ib.gt().size(); j++) {
            if (used[j] && !ib.ignored()[j]) {
                continue;
            }
            if (m > -1 && !ib.ignored()[m] && ib.ignored()[j]) {
                break; // an ordinary match found: ignored boxes come after and do not compete
            }
            double iou = iou(d, ib.gt().get(j));
            if (iou < best) {
                continue;
            }
            best = iou;
            m = j;
        }
        return m;
    }

    /** Precision sampled at the {@link #RECALL_POINTS} recall levels, averaged. */
    private static double interpolated(List<Scored> scored, int positives) {
        int n = scored.size();
        double[] recall = new double[n];
        double[] precision = new double[n];
        int tp = 0;
        for (int i = 0; i < n; i++) {
            tp += scored.get(i).tp() ? 1 : 0;
            recall[i] = (double) tp / positives;
            precision[i] = tp / (i + 1 + Math.ulp(1.0)); // pycocotools adds np.spacing(1)
        }
        for (int i = n - 1; i > 0; i--) {
            precision[i - 1] = Math.max(precision[i - 1], precision[i]);
        }
        double sum = 0;
        int i = 0;
        for (double r : RECALLS) {
            while (i < n && recall[i] < r) {
                i++; // recall is non-decreasing: the first point reaching r (numpy searchsorted, side left)
            }
            sum += i < n ? precision[i] : 0;
        }
        return sum / RECALL_POINTS;
    }

    /** IoU in double, as pycocotools computes it. */
    private static double iou(Box a, Box b) {
        double iw = Math.min((double) a.x2(), b.x2()) - Math.max((double) a.x1(), b.x1());
        double ih = Math.min((double) a.y2(), b.y2()) - Math.max((double) a.y1(), b.y1());
        if (iw <= 0 || ih <= 0) {
            return 0;
        }
        double inter = iw * ih;
        double areaA = ((double) a.x2() - a.x1()) * ((double) a.y2() - a.y1());
        double areaB = ((double) b.x2() - b.x1()) * ((double) b.y2() - b.y1());
        return inter / (areaA + areaB - inter);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** {@code num} evenly spaced values from {@code start} to {@code stop}, as numpy's linspace computes them. */
    private static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] out = new double[num];
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** A detection that counts: its score, image index, rank in its image, and whether it is a true positive. */
    private record Scored(float score, int image, int rank, boolean tp) {}

    /** One image's boxes of one class: ground truth ordinary first, then ignored; top detections by score. */
    record ImageBoxes(List<Box> gt, boolean[] ignored, List<Detection> det) {}

    /** One class over the dataset: its images (in ground-truth order) and its positives. */
    record PerClass(List<ImageBoxes> images, int positives) {

        static PerClass of(List<VocImage> groundTruth, Map<String, List<Detection>> detections, int c) {
            List<ImageBoxes> images = new ArrayList<>(groundTruth.size());
            int positives = 0;
            for (VocImage img : groundTruth) {
                List<VocObject> objs = img.objects().stream().filter(o -> o.classId() == c)
                        .sorted(Comparator.comparing(VocObject::difficult)).toList(); // stable: ordinary first
                boolean[] ignored = new boolean[objs.size()];
                for (int j = 0; j < objs.size(); j++) {
                    ignored[j] = objs.get(j).difficult();
                    positives += ignored[j] ? 0 : 1;
                }
                List<Detection> det = detections.getOrDefault(img.id(), List.of()).stream()
                        .filter(d -> d.classId() == c)
                        .sorted(Comparator.comparingDouble((Detection d) -> -d.score())) // stable: list order on ties
                        .limit(MAX_DETECTIONS).toList();
                images.add(new ImageBoxes(objs.stream().map(VocObject::box).toList(), ignored, det));
            }
            return new PerClass(images, positives);
        }
    }
}
