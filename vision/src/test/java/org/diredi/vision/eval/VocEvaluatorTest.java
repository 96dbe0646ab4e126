package org.diredi.vision.eval;

import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocEvaluatorTest {

    private static final double EPS = 1e-12;
    private static final ClassList AB = new ClassList(List.of("a", "b"));
    private static final ClassList ABC = new ClassList(List.of("a", "b", "c"));

    private static Box box(float x1, float y1, float x2, float y2) {
        return new Box(x1, y1, x2, y2);
    }

    private static VocObject obj(int cls, Box b) {
        return new VocObject(cls, b, false, false);
    }

    private static VocObject difficult(int cls, Box b) {
        return new VocObject(cls, b, true, false);
    }

    private static VocImage image(String id, VocObject... objects) {
        return new VocImage(id, Path.of(id + ".jpg"), 100, 100, List.of(objects));
    }

    private static Detection det(int cls, float score, Box b) {
        return new Detection(cls, score, b);
    }

    private static final Box B1 = box(0, 0, 10, 10);
    private static final Box B2 = box(20, 20, 40, 40);
    private static final Box B3 = box(50, 50, 70, 80);
    private static final Box NOWHERE = box(80, 0, 90, 10);

    // ---- averagePrecision on hand-made curves -------------------------------------------------

    @Test
    void handMadeCurveAllPoint() {
        double[] r = {0.2, 0.4, 0.4, 0.6, 0.8};
        double[] p = {1.0, 1.0, 0.67, 0.75, 0.8};
        // Envelope (max precision at this or higher recall): 1.0, 1.0, 0.8, 0.8, 0.8; then (1.0, 0).
        // Area over recall steps: 0.2*1.0 (0->0.2) + 0.2*1.0 (0.2->0.4) + 0 (0.4->0.4)
        //   + 0.2*0.8 (0.4->0.6) + 0.2*0.8 (0.6->0.8) + 0.2*0 (0.8->1.0) = 0.72
        assertEquals(0.72, VocEvaluator.averagePrecision(r, p, ApMethod.ALL_POINT), EPS);
    }

    @Test
    void handMadeCurveElevenPoint() {
        double[] r = {0.2, 0.4, 0.4, 0.6, 0.8};
        double[] p = {1.0, 1.0, 0.67, 0.75, 0.8};
        // t = 0, .1, .2, .3, .4: max precision at recall >= t is 1.0 (5 points);
        // t = .5, .6, .7, .8: only recall 0.6 and 0.8 qualify -> 0.8 (4 points);
        // t = .9, 1.0: nothing -> 0.  AP = (5*1.0 + 4*0.8) / 11 = 8.2 / 11
        assertEquals(8.2 / 11, VocEvaluator.averagePrecision(r, p, ApMethod.ELEVEN_POINT), EPS);
    }

    @Test
    void secondHandMadeCurve() {
        double[] r = {0.5, 1.0};
        double[] p = {1.0, 0.5};
        // All-point: 0.5*1.0 + 0.5*0.5 = 0.75.  11-point: t <= 0.5 -> 1.0 (6 points), t >= 0.6 -> 0.5 (5).
        assertEquals(0.75, VocEvaluator.averagePrecision(r, p, ApMethod.ALL_POINT), EPS);
        assertEquals(8.5 / 11, VocEvaluator.averagePrecision(r, p, ApMethod.ELEVEN_POINT), EPS);
    }

    @Test
    void elevenPointCountsRecallExactlyAtTheSamplePoint() {
        // Recall 0.3 reaches t = 0.3 (k/10), so t = 0, .1, .2, .3 give 1.0: AP = 4/11.
        assertEquals(4.0 / 11, VocEvaluator.averagePrecision(new double[] {0.3}, new double[] {1.0}, ApMethod.ELEVEN_POINT), EPS);
    }

    @Test
    void averagePrecisionEdgeCases() {
        assertEquals(0.0, VocEvaluator.averagePrecision(new double[0], new double[0], ApMethod.ALL_POINT));
        assertEquals(0.0, VocEvaluator.averagePrecision(new double[0], new double[0], ApMethod.ELEVEN_POINT));
        assertEquals(1.0, VocEvaluator.averagePrecision(new double[] {1.0}, new double[] {1.0}, ApMethod.ALL_POINT), EPS);
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.averagePrecision(new double[] {0.5}, new double[0], ApMethod.ALL_POINT));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.averagePrecision(new double[] {0.5, 0.4}, new double[] {1, 1}, ApMethod.ALL_POINT));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.averagePrecision(new double[] {0.5}, new double[] {Double.NaN}, ApMethod.ALL_POINT));
    }

    // ---- matching rules -------------------------------------------------------------------------

    @Test
    void perfectDetectionsGiveApOne() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), obj(1, B2)), image("i2", obj(0, B3)));
        Map<String, List<Detection>> dets = Map.of(
                "i1", List.of(det(0, 0.9f, B1), det(1, 0.8f, B2)),
                "i2", List.of(det(0, 0.7f, B3)));
        for (ApMethod m : ApMethod.values()) {
            EvalResult r = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withApMethod(m));
            assertEquals(1.0, r.map(), EPS, m.name());
            assertEquals(2, r.classes().size());
            assertEquals(1.0, r.byName("a").ap(), EPS);
            assertEquals(2, r.byName("a").numGt());
            assertEquals(3, r.tp());
            assertEquals(0, r.fp());
            assertEquals(0, r.fn());
            assertEquals(1.0, r.precision(), EPS);
            assertEquals(1.0, r.recall(), EPS);
            assertEquals(1.0, r.f1(), EPS);
        }
    }

    @Test
    void allDetectionsWrongGiveZero() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), obj(1, B2)));
        Map<String, List<Detection>> dets = Map.of("i1", List.of(
                det(0, 0.9f, NOWHERE),      // right class, wrong place
                det(1, 0.8f, B1),           // wrong class on a's box
                det(0, 0.7f, B2)));         // wrong class on b's box
        for (ApMethod m : ApMethod.values()) {
            EvalResult r = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withApMethod(m));
            assertEquals(0.0, r.map(), EPS);
            assertEquals(0, r.tp());
            assertEquals(3, r.fp());
            assertEquals(2, r.fn());
            assertEquals(0.0, r.f1(), EPS);
        }
    }

    @Test
    void detectedDifficultObjectIsIgnoredAndMissedDifficultIsNotAMiss() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), difficult(0, B2), difficult(0, B3)));
        // The difficult hit ranks first: the devkit gives it tp=fp=0, so AP stays 1.
        Map<String, List<Detection>> dets = Map.of("i1", List.of(det(0, 0.95f, B2), det(0, 0.9f, B1)));
        EvalResult r = VocEvaluator.evaluate(gt, dets, AB);
        ClassResult a = r.byName("a");
        assertEquals(1.0, a.ap(), EPS);
        assertEquals(1, a.numGt());
        assertEquals(2, a.numDifficult());
        assertEquals(2, a.numDet());
        assertEquals(1, a.tp());
        assertEquals(0, a.fp(), "difficult match is not a false positive");
        assertEquals(0, a.fn(), "the missed difficult B3 is not a false negative");
        assertEquals(1.0, a.precision(), EPS);
        assertEquals(1.0, a.recall(), EPS);
    }

    @Test
    void classWithOnlyDifficultObjectsIsNotEvaluatedByDefault() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), difficult(1, B2)));
        EvalResult r = VocEvaluator.evaluate(gt, Map.of("i1", List.of(det(0, 0.9f, B1))), AB);
        assertEquals(List.of("a"), r.classes().stream().map(ClassResult::name).toList());
    }

    @Test
    void duplicateDetectionIsAFalsePositive() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), obj(0, B2)));
        Map<String, List<Detection>> dets = Map.of("i1", List.of(
                det(0, 0.9f, B1), det(0, 0.8f, box(0, 0, 10, 9)), det(0, 0.7f, B2)));
        // Sequence TP, FP (duplicate of B1), TP: points (0.5, 1), (0.5, 0.5), (1, 2/3).
        // All-point: 0.5*1 + 0.5*(2/3) = 5/6.  11-point: t <= .5 -> 1 (6 points), t >= .6 -> 2/3 (5): (6 + 10/3) / 11.
        EvalResult r = VocEvaluator.evaluate(gt, dets, AB);
        assertEquals(5.0 / 6, r.map(), EPS);
        assertEquals(2, r.tp());
        assertEquals(1, r.fp());
        EvalResult r11 = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withApMethod(ApMethod.ELEVEN_POINT));
        assertEquals((6 + 10.0 / 3) / 11, r11.map(), EPS);
    }

    @Test
    void detectionTakesHighestIouGroundTruthEvenIfAlreadyMatched() {
        // VOC devkit rule: the argmax GT decides; a second GT overlapping > 0.5 is not tried.
        Box g1 = box(0, 0, 10, 10);
        Box g2 = box(2, 0, 12, 10);
        Box d2 = box(0.5f, 0, 10.5f, 10); // IoU 0.905 with g1, 0.739 with g2
        assertTrue(d2.iou(g1) > d2.iou(g2) && d2.iou(g2) > 0.5f);
        List<VocImage> gt = List.of(image("i1", obj(0, g1), obj(0, g2)));
        EvalResult r = VocEvaluator.evaluate(gt, Map.of("i1", List.of(det(0, 0.9f, g1), det(0, 0.8f, d2))), AB);
        assertEquals(1, r.tp());
        assertEquals(1, r.fp());
        assertEquals(1, r.fn());
    }

    @Test
    void iouExactlyAtThresholdDoesNotMatch() {
        Box g = box(0, 0, 4, 4);
        Box d = box(0, 0, 2, 4); // IoU 8 / 16 = 0.5 exactly
        assertEquals(0.5f, g.iou(d));
        List<VocImage> gt = List.of(image("i1", obj(0, g)));
        Map<String, List<Detection>> dets = Map.of("i1", List.of(det(0, 0.9f, d)));
        EvalResult strict = VocEvaluator.evaluate(gt, dets, AB);
        assertEquals(0, strict.tp(), "VOC matches only when IoU > threshold");
        assertEquals(0.0, strict.map(), EPS);
        EvalResult looser = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withIouThreshold(0.49));
        assertEquals(1, looser.tp());
        assertEquals(1.0, looser.map(), EPS);
    }

    @Test
    void detectionsAreRankedAcrossTheWholeDataset() {
        // i1's false positive outranks i2's true positive: points (r 0, p 0), (r 1, p 0.5) -> AP 0.5.
        List<VocImage> gt = List.of(image("i1"), image("i2", obj(0, B1)));
        Map<String, List<Detection>> dets = Map.of(
                "i1", List.of(det(0, 0.9f, B1)),
                "i2", List.of(det(0, 0.8f, B1)));
        assertEquals(0.5, VocEvaluator.evaluate(gt, dets, AB).map(), EPS);
    }

    @Test
    void equalScoresAreRankedInGroundTruthImageOrder() {
        Map<String, List<Detection>> dets = Map.of(
                "i1", List.of(det(0, 0.5f, B1)),
                "i2", List.of(det(0, 0.5f, B1)));
        // i1's detection is a FP (no GT there): first -> AP 0.5, second -> AP 1.
        assertEquals(0.5, VocEvaluator.evaluate(List.of(image("i1"), image("i2", obj(0, B1))), dets, AB).map(), EPS);
        assertEquals(1.0, VocEvaluator.evaluate(List.of(image("i2", obj(0, B1)), image("i1")), dets, AB).map(), EPS);
    }

    @Test
    void twoClassesGiveExactMap() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1), obj(1, B2), obj(1, B3)));
        // a: found -> AP 1.  b: one of two found, no FP -> curve (0.5, 1): all-point AP 0.5, 11-point 6/11.
        Map<String, List<Detection>> dets = Map.of("i1", List.of(det(0, 0.9f, B1), det(1, 0.9f, B2)));
        EvalResult r = VocEvaluator.evaluate(gt, dets, AB);
        assertEquals(1.0, r.byName("a").ap(), EPS);
        assertEquals(0.5, r.byName("b").ap(), EPS);
        assertEquals(0.75, r.map(), EPS);
        EvalResult r11 = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withApMethod(ApMethod.ELEVEN_POINT));
        assertEquals((1 + 6.0 / 11) / 2, r11.map(), EPS);
    }

    @Test
    void precisionRecallF1AtScoreThreshold() {
        List<VocImage> gt = List.of(
                image("i1", obj(0, B1), obj(0, B2), obj(1, B3)),
                image("i2", obj(0, B1)));
        Map<String, List<Detection>> dets = Map.of(
                "i1", List.of(det(0, 0.9f, B1), det(0, 0.8f, NOWHERE), det(0, 0.6f, B2),
                        det(1, 0.5f, NOWHERE), det(1, 0.1f, B3)),
                "i2", List.of(det(0, 0.2f, B1)));
        EvalResult r = VocEvaluator.evaluate(gt, dets, AB); // score threshold 0.3
        ClassResult a = r.byName("a");
        // a above 0.3: TP, FP, TP -> TP 2, FP 1, FN 1 (i2's object is only found at 0.2).
        assertEquals(2, a.tp());
        assertEquals(1, a.fp());
        assertEquals(1, a.fn());
        assertEquals(2.0 / 3, a.precision(), EPS);
        assertEquals(2.0 / 3, a.recall(), EPS);
        assertEquals(2.0 / 3, a.f1(), EPS);
        assertEquals(4, a.numDet());
        // a's AP uses all four: TP, FP, TP, TP -> (1/3, 1), (1/3, .5), (2/3, 2/3), (1, .75):
        // envelope 1 on (0, 1/3], .75 on (1/3, 1] -> 1/3 + 2/3 * .75 = 5/6.
        assertEquals(5.0 / 6, a.ap(), EPS);
        ClassResult b = r.byName("b");
        assertEquals(0, b.tp());
        assertEquals(1, b.fp());
        assertEquals(1, b.fn());
        assertEquals(0.0, b.precision());
        assertEquals(0.0, b.recall());
        assertEquals(0.0, b.f1());
        // Micro over a and b: TP 2, FP 2, FN 2.
        assertEquals(2, r.tp());
        assertEquals(2, r.fp());
        assertEquals(2, r.fn());
        assertEquals(0.5, r.precision(), EPS);
        assertEquals(0.5, r.recall(), EPS);
        assertEquals(0.5, r.f1(), EPS);
        // A score equal to the threshold counts.
        EvalResult at = VocEvaluator.evaluate(gt, dets, AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withScoreThreshold(0.2));
        assertEquals(3, at.byName("a").tp());
        assertEquals(0, at.byName("a").fn());
    }

    @Test
    void classesWithoutGroundTruthAreExcludedFromMap() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1)));
        Map<String, List<Detection>> dets = Map.of("i1", List.of(det(0, 0.9f, B1), det(2, 0.9f, B2)));
        EvalResult byDefault = VocEvaluator.evaluate(gt, dets, ABC);
        assertEquals(List.of("a"), byDefault.classes().stream().map(ClassResult::name).toList());
        assertEquals(1.0, byDefault.map(), EPS);
        assertEquals(0, byDefault.fp(), "detections of classes outside the evaluated set are ignored");

        EvalResult explicit = VocEvaluator.evaluate(gt, dets, ABC, EvalConfig.DEFAULT.withScoreThreshold(0.3).withClassIds(Set.of(2, 0)));
        assertEquals(List.of("a", "c"), explicit.classes().stream().map(ClassResult::name).toList());
        ClassResult c = explicit.byName("c");
        assertFalse(c.hasGroundTruth());
        assertTrue(Double.isNaN(c.ap()), "absent, not 0");
        assertEquals(1.0, explicit.map(), EPS);
        assertEquals(1, explicit.numClassesInMap());
        assertEquals(1, c.fp());
        assertEquals(1, explicit.fp(), "an explicitly evaluated absent class adds its false positives");
        assertEquals(0.5, explicit.precision(), EPS);
    }

    @Test
    void noGroundTruthAtAllGivesNaNMap() {
        EvalResult r = VocEvaluator.evaluate(List.of(image("i1")), Map.of(), AB);
        assertTrue(r.classes().isEmpty());
        assertTrue(Double.isNaN(r.map()));
        assertEquals(0.0, r.precision());
    }

    @Test
    void rejectsInconsistentInput() {
        List<VocImage> gt = List.of(image("i1", obj(0, B1)));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(gt, Map.of("nope", List.of()), AB));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(gt, Map.of("i1", List.of(det(5, 0.5f, B1))), AB));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(gt, Map.of("i1", List.of(det(0, Float.NaN, B1))), AB));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(List.of(image("i1"), image("i1")), Map.of(), AB));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(List.of(image("i1", obj(7, B1))), Map.of(), AB));
        assertThrows(IllegalArgumentException.class,
                () -> VocEvaluator.evaluate(gt, Map.of(), AB, EvalConfig.DEFAULT.withScoreThreshold(0.3).withClassIds(Set.of(9))));
        assertThrows(IllegalArgumentException.class, () -> EvalConfig.DEFAULT.withScoreThreshold(0.3).withClassIds(Set.of()));
        assertThrows(IllegalArgumentException.class, () -> EvalConfig.DEFAULT.withScoreThreshold(0.3).withIouThreshold(1.5));
    }

    @Test
    void matchesDevkitTransliterationOnRandomData() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 150; trial++) {
            List<VocImage> gt = new ArrayList<>();
            Map<String, List<Detection>> dets = new LinkedHashMap<>();
            int images = 1 + rnd.nextInt(6);
            for (int m = 0; m < images; m++) {
                List<VocObject> objs = new ArrayList<>();
                for (int k = rnd.nextInt(5); k > 0; k--) {
                    objs.add(new VocObject(rnd.nextInt(3), randomBox(rnd), rnd.nextInt(5) == 0, false));
                }
                gt.add(new VocImage("im" + m, Path.of("x"), 100, 100, objs));
                List<Detection> ds = new ArrayList<>();
                for (int k = rnd.nextInt(8); k > 0; k--) {
                    // Near-copies of GT boxes so that matches, duplicates and difficult hits all happen.
                    Box b = !objs.isEmpty() && rnd.nextBoolean()
                            ? jitter(objs.get(rnd.nextInt(objs.size())).box(), rnd) : randomBox(rnd);
                    ds.add(new Detection(rnd.nextInt(3), rnd.nextInt(20) / 20f, b));
                }
                dets.put("im" + m, ds);
            }
            for (ApMethod method : ApMethod.values()) {
                EvalConfig cfg = EvalConfig.DEFAULT.withScoreThreshold(0.3).withApMethod(method).withClassIds(Set.of(0, 1, 2));
                EvalResult r = VocEvaluator.evaluate(gt, dets, ABC, cfg);
                for (ClassResult c : r.classes()) {
                    double[] expect = devkit(gt, dets, c.classId(), 0.5, 0.3, method);
                    String msg = "trial " + trial + " class " + c.classId() + " " + method;
                    if (Double.isNaN(expect[0])) {
                        assertTrue(Double.isNaN(c.ap()), msg);
                    } else {
                        assertEquals(expect[0], c.ap(), 1e-12, msg);
                    }
                    assertEquals((int) expect[1], c.tp(), msg);
                    assertEquals((int) expect[2], c.fp(), msg);
                    assertEquals((int) expect[3], c.fn(), msg);
                }
            }
        }
    }

    private static Box randomBox(Random rnd) {
        float x = rnd.nextInt(60);
        float y = rnd.nextInt(60);
        return box(x, y, x + 5 + rnd.nextInt(30), y + 5 + rnd.nextInt(30));
    }

    private static Box jitter(Box b, Random rnd) {
        float dx = rnd.nextInt(5) - 2;
        float dy = rnd.nextInt(5) - 2;
        return box(b.x1() + dx, b.y1() + dy, b.x2() + dx, b.y2() + rnd.nextInt(3));
    }

    /**
     * Straight transliteration of the devkit's voc_eval/voc_ap (cumsum over all detections, ignored
     * ones included, precision with an eps denominator, explicit envelope arrays). Returns
     * {ap, tp, fp, fn} with tp/fp/fn at {@code scoreThr}.
     */
    private static double[] devkit(List<VocImage> gt, Map<String, List<Detection>> dets, int cls,
                                   double thr, double scoreThr, ApMethod method) {
        Map<String, List<VocObject>> recs = new HashMap<>();
        Map<String, boolean[]> used = new HashMap<>();
        int npos = 0;
        List<String> ids = new ArrayList<>();
        List<Detection> all = new ArrayList<>();
        for (VocImage img : gt) {
            List<VocObject> objs = img.objects().stream().filter(o -> o.classId() == cls).toList();
            recs.put(img.id(), objs);
            used.put(img.id(), new boolean[objs.size()]);
            npos += (int) objs.stream().filter(o -> !o.difficult()).count();
            for (Detection d : dets.getOrDefault(img.id(), List.of())) {
                if (d.classId() == cls) {
                    ids.add(img.id());
                    all.add(d);
                }
            }
        }
        Integer[] order = new Integer[all.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> -all.get(i).score())); // stable
        int nd = order.length;
        double[] tp = new double[nd];
        double[] fp = new double[nd];
        int tpAt = 0;
        int fpAt = 0;
        for (int d = 0; d < nd; d++) {
            Detection det = all.get(order[d]);
            List<VocObject> r = recs.get(ids.get(order[d]));
            double ovmax = Double.NEGATIVE_INFINITY;
            int jmax = -1;
            for (int j = 0; j < r.size(); j++) {
                double ov = r.get(j).box().iou(det.box());
                if (ov > ovmax) {
                    ovmax = ov;
                    jmax = j;
                }
            }
            if (ovmax > thr) {
                if (!r.get(jmax).difficult()) {
                    boolean[] u = used.get(ids.get(order[d]));
                    if (!u[jmax]) {
                        tp[d] = 1;
                        u[jmax] = true;
                    } else {
                        fp[d] = 1;
                    }
                }
            } else {
                fp[d] = 1;
            }
            if (det.score() >= scoreThr) {
                tpAt += (int) tp[d];
                fpAt += (int) fp[d];
            }
        }
        double[] rec = new double[nd];
        double[] prec = new double[nd];
        double ctp = 0;
        double cfp = 0;
        for (int d = 0; d < nd; d++) {
            ctp += tp[d];
            cfp += fp[d];
            rec[d] = ctp / npos;
            prec[d] = ctp / Math.max(ctp + cfp, Math.ulp(1.0));
        }
        double ap;
        if (npos == 0) {
            ap = Double.NaN;
        } else if (method == ApMethod.ELEVEN_POINT) {
            ap = 0;
            for (int k = 0; k <= 10; k++) {
                double t = k / 10.0;
                double pmax = 0;
                for (int d = 0; d < nd; d++) {
                    if (rec[d] >= t) {
                        pmax = Math.max(pmax, prec[d]);
                    }
                }
                ap += pmax / 11;
            }
        } else {
            double[] mrec = new double[nd + 2];
            double[] mpre = new double[nd + 2];
            mrec[nd + 1] = 1;
            System.arraycopy(rec, 0, mrec, 1, nd);
            System.arraycopy(prec, 0, mpre, 1, nd);
            for (int i = nd; i >= 1; i--) {
                mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
            }
            ap = 0;
            for (int i = 0; i + 1 < mrec.length; i++) {
                if (mrec[i + 1] != mrec[i]) {
                    ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
                }
            }
        }
        return new double[] {ap, tpAt, fpAt, npos - tpAt};
    }
}
