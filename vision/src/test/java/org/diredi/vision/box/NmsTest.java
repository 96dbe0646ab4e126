package org.diredi.vision.box;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmsTest {

    private static Detection det(int cls, float score, float x1, float y1, float x2, float y2) {
        return new Detection(cls, score, new Box(x1, y1, x2, y2));
    }

    @Test
    void overlappingSameClassIsSuppressed() {
        Detection a = det(0, 0.9f, 0, 0, 10, 10);
        Detection b = det(0, 0.8f, 1, 0, 11, 10); // IoU 90/110 = 0.818
        Detection far = det(0, 0.7f, 50, 50, 60, 60);
        assertEquals(List.of(a, far), Nms.classWise(List.of(b, far, a), 0.5f, 100));
    }

    @Test
    void overlappingDifferentClassesAreKeptClassWiseButNotAgnostic() {
        Detection a = det(0, 0.9f, 0, 0, 10, 10);
        Detection b = det(1, 0.8f, 1, 0, 11, 10);
        assertEquals(List.of(a, b), Nms.classWise(List.of(b, a), 0.5f, 100));
        assertEquals(List.of(a), Nms.classAgnostic(List.of(b, a), 0.5f, 100));
    }

    @Test
    void iouExactlyAtThresholdIsKept() {
        // IoU = intersection 2 / union 4 = 0.5 exactly (representable in float).
        Detection a = det(0, 0.9f, 0, 0, 4, 1);
        Detection b = det(0, 0.8f, 0, 0, 2, 1);
        assertEquals(0.5f, a.box().iou(b.box()));
        assertEquals(List.of(a, b), Nms.classWise(List.of(a, b), 0.5f, 10), "suppress only when IoU > threshold");
        assertEquals(List.of(a), Nms.classWise(List.of(a, b), 0.49f, 10));
        assertEquals(List.of(a, b), Nms.classAgnostic(List.of(a, b), 0.5f, 10));
    }

    @Test
    void maxDetectionsKeepsTheBestSurvivors() {
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            dets.add(det(i % 2, 0.1f * (i + 1), i * 20, 0, i * 20 + 10, 10));
        }
        List<Detection> out = Nms.classWise(dets, 0.5f, 3);
        assertEquals(List.of(dets.get(4), dets.get(3), dets.get(2)), out);
        assertEquals(List.of(), Nms.classWise(dets, 0.5f, 0));
        assertThrows(IllegalArgumentException.class, () -> Nms.classWise(dets, 0.5f, -1));
    }

    @Test
    void suppressedBoxesDoNotSuppressOthers() {
        // b overlaps a and c; a suppresses b, so c (IoU with a = 0) survives.
        Detection a = det(0, 0.9f, 0, 0, 10, 10);
        Detection b = det(0, 0.8f, 4, 0, 14, 10);
        Detection c = det(0, 0.7f, 10, 0, 20, 10);
        assertEquals(List.of(a, c), Nms.classWise(List.of(c, b, a), 0.3f, 10));
    }

    @Test
    void equalScoresKeepInputOrderAndNaNIsDropped() {
        Detection a = det(0, 0.5f, 0, 0, 10, 10);
        Detection b = det(1, 0.5f, 0, 0, 10, 10);
        Detection c = det(2, 0.5f, 0, 0, 10, 10);
        Detection nan = det(0, Float.NaN, 30, 30, 40, 40);
        assertEquals(List.of(b, a, c), Nms.classWise(List.of(b, nan, a, c), 0.5f, 10));
        assertEquals(List.of(b), Nms.classAgnostic(List.of(b, a, c), 0.5f, 10));
    }

    @Test
    void orderByScoreHandlesNegativeZeroAndInfinities() {
        float[] s = {0f, -1f, Float.POSITIVE_INFINITY, -0f, 2f, Float.NaN, -3.5f, Float.NEGATIVE_INFINITY, 2f};
        assertArrayEquals(new int[] {2, 4, 8, 0, 3, 1, 6, 7}, Nms.orderByScoreDesc(s));
    }

    @Test
    void emptyBoxesOverlapNothing() {
        Detection a = det(0, 0.9f, 5, 5, 5, 5);
        Detection b = det(0, 0.8f, 5, 5, 5, 5);
        assertEquals(2, Nms.classWise(List.of(a, b), 0.0f, 10).size());
    }

    @Test
    void matchesBruteForceReferenceOnRandomBoxes() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = rnd.nextInt(60);
            List<Detection> dets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float x = rnd.nextInt(50);
                float y = rnd.nextInt(50);
                // Quantised scores make ties common, exercising the stable order.
                dets.add(det(rnd.nextInt(3), rnd.nextInt(10) / 10f, x, y, x + 5 + rnd.nextInt(20), y + 5 + rnd.nextInt(20)));
            }
            float thr = rnd.nextInt(10) / 10f;
            int max = 1 + rnd.nextInt(30);
            assertEquals(reference(dets, thr, max, true), Nms.classWise(dets, thr, max), "trial " + trial);
            assertEquals(reference(dets, thr, max, false), Nms.classAgnostic(dets, thr, max), "trial " + trial);
        }
    }

    /** Textbook greedy NMS over objects: the slow definition Nms must agree with. */
    private static List<Detection> reference(List<Detection> dets, float thr, int max, boolean perClass) {
        List<Detection> sorted = new ArrayList<>(dets);
        sorted.sort((p, q) -> Float.compare(q.score(), p.score())); // List.sort is stable
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean ok = true;
            for (Detection k : kept) {
                if ((!perClass || k.classId() == d.classId()) && k.box().iou(d.box()) > thr) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                kept.add(d);
            }
        }
        assertTrue(kept.size() <= dets.size());
        return kept.subList(0, Math.min(max, kept.size()));
    }
}
