package org.diredi.core.gate;

import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Detection;

/**
 * How often the updated tutor reports a class it adds on the manufacturer's own images, at the gate's score
 * threshold: the manufacturer's own check of a class it has no labels for. It cannot say whether a detection
 * is right, but a tutor that reports the class on nearly every image, or never, is wrong either way.
 *
 * @param className           the added class
 * @param images              images looked at
 * @param imagesWithDetection images with at least one detection of the class at the threshold
 * @param detections          detections of the class at the threshold, over all images
 * @param classShown          whether those images may show the class (its objects kept, unlabelled); when not
 *                            (the manufacturer has no image of it), never firing is expected and only the
 *                            upper bounds are judged
 */
public record Firing(String className, int images, int imagesWithDetection, long detections, boolean classShown) {

    /** Counts the detections of {@code classId} at or above {@code scoreThreshold} per image. */
    public static Firing count(String className, int classId, Map<String, List<Detection>> perImage,
                               double scoreThreshold, boolean classShown) {
        int with = 0;
        long total = 0;
        for (List<Detection> dets : perImage.values()) {
            long n = dets.stream().filter(d -> d.classId() == classId && d.score() >= scoreThreshold).count();
            total += n;
            with += n > 0 ? 1 : 0;
        }
        return new Firing(className, perImage.size(), with, total, classShown);
    }

    /** Share of images with at least one detection (0-1); 0 without images. */
    public double share() {
        return images == 0 ? 0 : imagesWithDetection / (double) images;
    }

    public double perImage() {
        return images == 0 ? 0 : detections / (double) images;
    }
}
