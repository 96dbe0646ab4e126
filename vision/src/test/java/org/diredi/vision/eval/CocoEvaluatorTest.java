package org.diredi.vision.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

class CocoEvaluatorTest {

    private static final ClassList ABC = new ClassList(List.of("a", "b", "c"));

    private static VocImage image(String id, VocObject... objects) {
        return new VocImage(id, Path.of(id + ".jpg"), 100, 100, List.of(objects));
    }

    private static VocObject gt(int cls, float x1, float y1, float x2, float y2, boolean difficult) {
        return new VocObject(cls, new Box(x1, y1, x2, y2), difficult, false);
    }

    private static Detection det(int cls, float score, float x1, float y1, float x2, float y2) {
        return new Detection(cls, score, new Box(x1, y1, x2, y2));
    }

    /**
     * Class a, image 1: G1 (0,0,10,10), G2 (20,20,40,40), G3 (50,50,70,70) difficult. Detections by score:
     * D1 0.9 = G1 (IoU 1), D2 0.8 (20,20,40,34.4) on G2 (IoU 288/400 = 0.72), D3 0.7 = G3 (difficult:
     * ignored), D4 0.6 (80,80,90,90) on nothing. Two positives.
     * <ul>
     *   <li>IoU .50 .. .70 (5 thresholds): TP, TP, FP: recall 0.5, 1, 1, precision 1, 1, 2/3; made
     *       non-increasing from the right it is 1 at every recall up to 1, so all 101 points are 1: AP 1.</li>
     *   <li>IoU .75 .. .95 (5 thresholds): TP, FP, FP: recall 0.5, 0.5, 0.5, precision 1, 1/2, 1/3. Recall
     *       0, 0.01, ..., 0.50 (51 points) reach the first point, precision 1; 0.51 .. 1 (50 points) are never
     *       reached, 0. AP 51/101.</li>
     * </ul>
     * Class a: AP@[.5:.95] = (5 x 1 + 5 x 51/101) / 10 = 76/101, AP50 = 1, AP75 = 51/101.
     * Class b, image 2: one box, no detection: 0 at every threshold. Class c: a detection but no ground
     * truth, left out. Means over a and b: AP = 38/101, AP50 = 1/2, AP75 = 51/202.
     */
    @Test
    void handMadeCaseWithKnownAnswer() {
        List<VocImage> truth = List.of(
                image("1", gt(0, 0, 0, 10, 10, false), gt(0, 20, 20, 40, 40, false), gt(0, 50, 50, 70, 70, true)),
                image("2", gt(1, 0, 0, 50, 50, false)));
        Map<String, List<Detection>> dets = Map.of("1", List.of(det(0, 0.6f, 80, 80, 90, 90),
                det(0, 0.9f, 0, 0, 10, 10), det(0, 0.7f, 50, 50, 70, 70), det(0, 0.8f, 20, 20, 40, 34.4f),
                det(2, 0.95f, 0, 0, 10, 10)));
        CocoResult r = CocoEvaluator.evaluate(truth, dets, ABC, EvalConfig.DEFAULT);
        CocoResult.ClassAp a = r.find(0);
        assertEquals(76.0 / 101, a.ap(), 1e-12);
        assertEquals(1.0, a.ap50(), 1e-12);
        assertEquals(51.0 / 101, a.ap75(), 1e-12);
        assertEquals(2, a.numGt());
        assertEquals(0.0, r.find(1).ap(), 1e-12);
        assertNull(r.find(2));
        assertEquals(38.0 / 101, r.ap(), 1e-12);
        assertEquals(0.5, r.ap50(), 1e-12);
        assertEquals(51.0 / 202, r.ap75(), 1e-12);
        // VOC's AP@0.5 of class a from the same detections: TP, TP, (ignored), FP, all-point: 1
        assertEquals(1.0, VocEvaluator.evaluate(truth, dets, ABC).byName("a").ap(), 1e-12);
    }

    @Test
    void onlyTheTopHundredDetectionsOfAnImageCount() {
        List<VocImage> truth = List.of(image("1", gt(0, 0, 0, 10, 10, false)));
        List<Detection> many = new ArrayList<>();
        for (int i = 0; i < CocoEvaluator.MAX_DETECTIONS; i++) {
            many.add(det(0, 0.9f, 50, 50, 60, 60));
        }
        many.add(det(0, 0.5f, 0, 0, 10, 10)); // the true positive is the 101st
        assertEquals(0.0, CocoEvaluator.evaluate(truth, Map.of("1", many), ABC, EvalConfig.DEFAULT).ap(), 1e-12);
        many.remove(0);
        // now it is 100th: precision 1/100 at recall 1, so every recall point is 0.01
        assertEquals(0.01, CocoEvaluator.evaluate(truth, Map.of("1", many), ABC, EvalConfig.DEFAULT).ap(), 1e-9);
    }

    @Test
    void detectionsOnAnIgnoredBoxNeverCountAgainst() {
        // two detections on one difficult box (a crowd region takes any number) and one true positive
        List<VocImage> truth = List.of(image("1", gt(0, 0, 0, 10, 10, false), gt(0, 50, 50, 90, 90, true)));
        Map<String, List<Detection>> dets = Map.of("1", List.of(det(0, 0.9f, 50, 50, 90, 90),
                det(0, 0.8f, 50, 50, 90, 89), det(0, 0.7f, 0, 0, 10, 10))); // IoU 1 and 0.975
        assertEquals(1.0, CocoEvaluator.evaluate(truth, dets, ABC, EvalConfig.DEFAULT).ap(), 1e-12);
    }

    /**
     * A random case (4 images of several sizes, 3 classes, 15 boxes, 24 detections, ties in scores, boxes
     * leaving the image) whose numbers pycocotools 2.0.11 computes as AP 0.1823872387, AP50 0.2960396040,
     * AP75 0.2125962596 ({@code COCOeval(gt, dt, 'bbox')}, category ids = class + 1, stats[0:3]).
     */
    @Test
    void agreesWithPycocotools() {
        String text = """
                image 0 80 100
                  gt 2 38 45 76 90
                  gt 0 62 15 75 65
                  gt 0 4 84 12 91
                  det 0 0.25 61 17 71 67
                  det 1 0.5 69 6 75 94
                  det 0 0.596 61 16 77 65
                  det 0 0.5 65 14 81 65
                  det 0 0.458 2 81 11 85
                image 1 50 40
                  gt 0 15 28 47 38
                  gt 0 21 5 31 18
                  gt 1 24 20 41 34
                  det 0 0.25 18 5 27 17
                  det 1 0.5 25 21 42 33
                  det 2 0.5 37 27 43 30
                  det 0 0.5 17 30 51 41
                  det 0 0.5 24 19 41 34
                  det 1 0.25 11 19 45 38
                  det 2 0.268 9 11 16 23
                  det 0 0.5 23 7 31 17
                image 2 100 60
                  gt 1 54 14 82 43
                  gt 2 66 20 73 36
                  gt 2 25 24 64 27
                  gt 2 0 24 89 32
                  det 1 0.25 58 49 100 60
                  det 1 0.833 13 19 30 26
                  det 2 0.25 28 22 66 26
                  det 2 0.692 -1 24 91 32
                  det 1 0.889 84 47 92 54
                image 3 100 40
                  gt 1 27 13 100 38
                  gt 1 51 17 92 25
                  gt 0 31 0 100 40
                  gt 0 86 11 96 27
                  gt 1 43 6 89 9
                  det 1 0.504 24 14 95 41
                  det 1 0.849 28 11 100 36
                  det 1 0.25 89 0 91 9
                  det 0 0.5 55 4 60 39
                  det 1 0.25 41 9 84 10
                  det 0 0.295 31 0 100 42
                """;
        List<VocImage> truth = new ArrayList<>();
        Map<String, List<Detection>> dets = new LinkedHashMap<>();
        String id = null;
        List<VocObject> objects = null;
        int[] size = null;
        for (String line : (text + "image end 1 1\n").lines().map(String::strip).toList()) {
            String[] t = line.split(" ");
            float[] v = new float[t.length];
            for (int i = 1; i < t.length; i++) {
                v[i] = t[0].equals("image") && i == 1 ? 0 : Float.parseFloat(t[i]);
            }
            switch (t[0]) {
                case "image" -> {
                    if (id != null) {
                        truth.add(new VocImage(id, Path.of(id), size[0], size[1], objects));
                    }
                    id = t[1];
                    size = new int[] {(int) v[2], (int) v[3]};
                    objects = new ArrayList<>();
                    dets.put(id, new ArrayList<>());
                }
                case "gt" -> objects.add(new VocObject((int) v[1], new Box(v[2], v[3], v[4], v[5]), false, false));
                default -> dets.get(id).add(new Detection((int) v[1], v[2], new Box(v[3], v[4], v[5], v[6])));
            }
        }
        dets.remove("end");
        CocoResult r = CocoEvaluator.evaluate(truth, dets, ABC, EvalConfig.DEFAULT);
        assertEquals(0.1823872387, r.ap(), 1e-9);
        assertEquals(0.2960396040, r.ap50(), 1e-9);
        assertEquals(0.2125962596, r.ap75(), 1e-9);
    }

    @Test
    void noGroundTruthIsNotANumberAndBadInputIsRefused() {
        CocoResult none = CocoEvaluator.evaluate(List.of(image("1")), Map.of(), ABC, EvalConfig.DEFAULT);
        assertTrue(Double.isNaN(none.ap()));
        assertTrue(none.summary().contains("n/a"), none.summary());
        assertThrows(IllegalArgumentException.class, () -> CocoEvaluator.evaluate(List.of(image("1")),
                Map.of("2", List.of()), ABC, EvalConfig.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> CocoEvaluator.evaluate(List.of(image("1")),
                Map.of("1", List.of(det(5, 0.5f, 0, 0, 1, 1))), ABC, EvalConfig.DEFAULT));
    }

    @Test
    void theReportAddsCocoBesideTheUnchangedVocNumbers() {
        List<VocImage> truth = List.of(image("1", gt(0, 0, 0, 10, 10, false), gt(1, 20, 20, 40, 40, false)));
        Map<String, List<Detection>> dets = Map.of("1", List.of(det(0, 0.9f, 0, 0, 10, 10), det(1, 0.8f, 20, 20, 40, 34.4f)));
        EvalResult voc = VocEvaluator.evaluate(truth, dets, ABC);
        EvalReport report = EvalReport.evaluate(truth, dets, ABC, EvalConfig.DEFAULT);
        assertEquals(voc, report.voc());
        assertEquals(voc.toMarkdown(), voc.toMarkdown(null));
        String md = report.toMarkdown();
        assertTrue(md.contains("| AP@0.5 | AP@[.5:.95] |   AP50 |   AP75 |     P |"), md);
        assertTrue(md.contains("**COCO AP@[.5:.95] = 0.7500**, AP50 = 1.0000, AP75 = 0.5000"), md);
        assertTrue(md.contains("**mAP@0.5 = 1.0000**"), md);
        EvalResult back = EvalResult.fromJson(report.toJson());
        assertEquals(voc.map(), back.map(), 1e-12);
        assertEquals(0.75, report.toJsonTree().get("coco").get("ap").asDouble(), 1e-12);
        assertEquals(0.5, report.toJsonTree().get("coco").get("ap75").asDouble(), 1e-12);
    }
}
