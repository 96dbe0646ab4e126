package org.diredi.edge.model;

import java.util.List;
import org.diredi.vision.box.Box;

/**
 * How much of what the running model finds a new model still finds: the share of the running model's
 * detections (already above the camera's score threshold) that some detection of the new model of the
 * same class covers at IoU {@code >= matchIou}, over the reference frames. One detection of the new model
 * may cover several of the running model's: overlapping duplicates that NMS left in the running model are
 * one object found, not several the new model must repeat. Classes are compared by name: a model that adds
 * a class (a DiReDi update) is compared on the classes both know ({@link HealthCheck} also leaves out the
 * running model's detections of a class the new model no longer has).
 */
public final class Agreement {

    /** One detection with its class name (class indices differ between models with different class lists). */
    public record Found(String className, float score, Box box) {}

    /** {@code matched} of the running model's {@code total} detections were found again. */
    public record Result(int matched, int total) {
        /** 1 when the running model found nothing: there is nothing to disagree with. */
        public double share() {
            return total == 0 ? 1.0 : (double) matched / total;
        }
    }

    private Agreement() {}

    /**
     * {@code running.get(i)} and {@code candidate.get(i)} are the two models' detections on reference frame i.
     */
    public static Result measure(List<List<Found>> running, List<List<Found>> candidate, double matchIou) {
        if (running.size() != candidate.size()) {
            throw new IllegalArgumentException(running.size() + " frames of the running model, " + candidate.size()
                    + " of the candidate");
        }
        int matched = 0;
        int total = 0;
        for (int f = 0; f < running.size(); f++) {
            for (Found r : running.get(f)) {
                total++;
                if (candidate.get(f).stream().anyMatch(c -> c.className().equals(r.className())
                        && c.box().iou(r.box()) >= matchIou)) {
                    matched++;
                }
            }
        }
        return new Result(matched, total);
    }
}
