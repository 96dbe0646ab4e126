package org.diredi.workflow.demo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;

/**
 * What the cameras detected, per model version: detections of each class, how many of them were
 * correct, and how many frames had detections. Fed from the cameras' detection events; thread-safe.
 */
final class DetectionTally {

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<String, VocImage> truth;
    private final ClassList classes;

    /** @param truth each frame file's ground truth, for telling correct detections */
    DetectionTally(Map<String, VocImage> truth, ClassList classes) {
        this.truth = truth;
        this.classes = classes;
    }

    /** One detection event as a camera publishes it: {@code modelVersion}, {@code source}, {@code detections}. */
    void add(Map<?, ?> event) {
        VocImage gt = truth.get(String.valueOf(event.get("source")));
        String v = "v" + event.get("modelVersion") + "/";
        for (Object o : (List<?>) event.get("detections")) {
            Map<?, ?> d = (Map<?, ?>) o;
            String c = String.valueOf(d.get("class"));
            increment(v + c);
            if (gt != null && matches(gt, classes.indexOf(c), (List<?>) d.get("box"))) {
                increment(v + c + "/correct");
            }
        }
        increment(v + "frames");
    }

    /** "correct / all" detections of class {@code c} by model {@code version} ("v0", "v1"). */
    String detections(String version, String c) {
        return count(version + "/" + c + "/correct") + " / " + count(version + "/" + c);
    }

    /** Frames with detections seen from model {@code version}. */
    String frames(String version) {
        return count(version + "/frames");
    }

    private void increment(String key) {
        counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private String count(String key) {
        AtomicLong n = counts.get(key);
        return n == null ? "0" : Long.toString(n.get());
    }

    /** A camera detection is correct when a ground-truth object of its class overlaps it by IoU >= 0.5 (VOC's rule). */
    static boolean matches(VocImage gt, int classId, List<?> box) {
        Box b = new Box(((Number) box.get(0)).floatValue(), ((Number) box.get(1)).floatValue(),
                ((Number) box.get(2)).floatValue(), ((Number) box.get(3)).floatValue());
        return gt.objects().stream().anyMatch(o -> o.classId() == classId && o.box().iou(b) >= 0.5f);
    }
}
