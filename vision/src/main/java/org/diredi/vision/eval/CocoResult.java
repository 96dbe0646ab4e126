package org.diredi.vision.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Result of {@link CocoEvaluator#evaluate}.
 *
 * @param ap        AP@[.5:.95]: mean over the classes with ground truth of their AP averaged over the ten
 *                  IoU thresholds; NaN when no class has ground truth
 * @param ap50      the same at IoU 0.5 only
 * @param ap75      the same at IoU 0.75 only
 * @param numImages images in the ground truth
 * @param classes   the classes with ground truth, ascending class id
 */
public record CocoResult(double ap, double ap50, double ap75, int numImages, List<ClassAp> classes) {

    /** One class: non-ignored ground-truth objects and its three APs. */
    public record ClassAp(int classId, String name, int numGt, double ap, double ap50, double ap75) {}

    public CocoResult {
        classes = List.copyOf(classes);
    }

    /** The result from per-class APs: each summary AP is their mean (NaN without classes). */
    static CocoResult of(List<ClassAp> classes, int numImages) {
        double ap = 0;
        double ap50 = 0;
        double ap75 = 0;
        for (ClassAp c : classes) {
            ap += c.ap();
            ap50 += c.ap50();
            ap75 += c.ap75();
        }
        int n = classes.size();
        return n == 0 ? new CocoResult(Double.NaN, Double.NaN, Double.NaN, numImages, classes)
                : new CocoResult(ap / n, ap50 / n, ap75 / n, numImages, classes);
    }

    /** The result of class {@code classId}, or null when it has no ground truth (or was not evaluated). */
    public ClassAp find(int classId) {
        return classes.stream().filter(c -> c.classId() == classId).findFirst().orElse(null);
    }

    /** One line for reports: the three numbers and the rules they follow. */
    public String summary() {
        return String.format(Locale.ROOT, "**COCO AP@[.5:.95] = %s**, AP50 = %s, AP75 = %s (IoU .50:.05:.95, %d-point"
                + " interpolation, top %d detections per image and class)", num(ap), num(ap50), num(ap75),
                CocoEvaluator.RECALL_POINTS, CocoEvaluator.MAX_DETECTIONS);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** JSON form: the three APs (null when NaN), the rules, and per class. */
    public ObjectNode toJsonTree() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        EvalResult.putNumber(o, "ap", ap);
        EvalResult.putNumber(o, "ap50", ap50);
        EvalResult.putNumber(o, "ap75", ap75);
        ArrayNode t = o.putArray("iouThresholds");
        for (double x : CocoEvaluator.iouThresholds()) {
            t.add(x);
        }
        o.put("recallPoints", CocoEvaluator.RECALL_POINTS);
        o.put("maxDetections", CocoEvaluator.MAX_DETECTIONS);
        o.put("numImages", numImages);
        ArrayNode arr = o.putArray("classes");
        for (ClassAp c : classes) {
            arr.addObject().put("classId", c.classId()).put("name", c.name()).put("numGt", c.numGt())
                    .put("ap", c.ap()).put("ap50", c.ap50()).put("ap75", c.ap75());
        }
        return o;
    }
}
