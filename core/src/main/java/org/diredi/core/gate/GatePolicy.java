package org.diredi.core.gate;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Path;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;

/**
 * The manufacturer's acceptance policy for an updated tutor (DiReDi step 6), in points (0-100) on its
 * own validation split: AP per class, and precision / recall / F1 where the cameras operate.
 *
 * <p>Why an F1 rule on top of AP: AP ranks detections at every score, so an updated tutor whose
 * scores are off scale keeps its AP while the cameras, which keep only detections above their score
 * threshold, see either nothing or false alarms everywhere (Experiment 1 after Eq. 10: AP up 10 points,
 * precision 19%, F1 55 -> 27). The rule is on the micro F1 over every class the update keeps, the added
 * ones included, because that is where such a tutor shows: a per-class rule on the kept classes misses
 * the added class's false alarms (they are the added class's), and the added class's own F1 rises from 0
 * however poor its precision is. Micro F1 counts each false alarm of any class against the whole model.
 *
 * @param protectedClasses class -> largest AP drop allowed (the paper's "horse" case: a class the
 *                         manufacturer must keep even when a customer removes it)
 * @param maxDropOther     largest AP drop allowed for any other class not added or removed; null: no limit
 * @param minGainAdded     smallest AP gain required on every class the delta adds
 * @param minMapChange     smallest change of mAP over the classes the update keeps (added ones included,
 *                         removed ones left out), in points; null: no limit
 * @param maxF1Drop        largest drop of the micro F1 over the classes the update keeps (added included where
 *                         the manufacturer labels them, removed left out) at {@code scoreThreshold}, in points;
 *                         null: no limit
 * @param scoreThreshold   the score above which the cameras report a detection (the edge runtime's
 *                         {@code decode.scoreThreshold}, configs/edge.yaml): precision, recall and F1 are
 *                         measured there, in (0, 1); null (a policy written before the rule): the
 *                         shipped threshold, {@link #DEPLOYMENT_SCORE_THRESHOLD}
 * @param addedFiringShare        when the manufacturer has no labels of an added class: the allowed share of its
 *                                own validation images on which the updated tutor reports that class at
 *                                {@code scoreThreshold} at least once; null: not checked
 * @param addedDetectionsPerImage the same, for the added class's detections per image; null: not checked
 */
public record GatePolicy(Map<String, Double> protectedClasses, Double maxDropOther, double minGainAdded,
                         Double minMapChange, Double maxF1Drop, Double scoreThreshold, Range addedFiringShare,
                         Range addedDetectionsPerImage) {

    /**
     * An allowed range, bounds included; a null bound is no limit on that side.
     *
     * @param min the smallest value allowed
     * @param max the largest value allowed
     */
    public record Range(Double min, Double max) {
        public Range {
            if ((min != null && !(min >= 0)) || (max != null && !(max >= 0)) || (min != null && max != null && min > max)) {
                throw new IllegalArgumentException("range [" + min + ", " + max + "]: bounds must be >= 0, min <= max");
            }
        }

        public boolean contains(double v) {
            return (min == null || v >= min) && (max == null || v <= max);
        }

        @Override
        public String toString() {
            return "[" + (min == null ? "-" : String.format("%.2f", min)) + ", "
                    + (max == null ? "-" : String.format("%.2f", max)) + "]";
        }
    }

    /**
     * Why these defaults, for a class the manufacturer cannot label: its own images are general scenes, so a
     * tutor that learned the class fires on some of them (UNLABELLED data keeps the images that show it) but
     * not on most. Reporting it on more than 3 images in 4, or more than 2 times per image, is a tutor
     * firing on other objects or background; on fewer than 1 image in 100 it learned nothing the cameras
     * would see. The lower bounds are not judged when the manufacturer has no image of the class at all.
     */
    public static final Range DEFAULT_FIRING_SHARE = new Range(0.01, 0.75);
    public static final Range DEFAULT_DETECTIONS_PER_IMAGE = new Range(0.01, 2.0);

    /** The edge runtime's shipped {@code decode.scoreThreshold} (configs/edge.yaml). */
    public static final double DEPLOYMENT_SCORE_THRESHOLD = 0.3;

    public static final GatePolicy DEFAULTS = new GatePolicy(Map.of(), 5.0, 10.0, null, 5.0,
            DEPLOYMENT_SCORE_THRESHOLD, DEFAULT_FIRING_SHARE, DEFAULT_DETECTIONS_PER_IMAGE);

    /** The policy in {@code file} (YAML or JSON) over {@link #DEFAULTS}; the defaults when {@code file} is null. */
    public static GatePolicy load(Path file) {
        return file == null ? DEFAULTS : ConfigFiles.load(file, GatePolicy.class, DEFAULTS);
    }

    @JsonCreator
    public GatePolicy {
        protectedClasses = protectedClasses == null ? Map.of() : Map.copyOf(protectedClasses);
        for (Map.Entry<String, Double> e : protectedClasses.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("protectedClasses." + e.getKey()
                        + ": the largest allowed drop must be >= 0 AP points");
            }
        }
        if (maxDropOther != null && maxDropOther < 0) {
            throw new IllegalArgumentException("maxDropOther must be >= 0 AP points, got " + maxDropOther);
        }
        if (maxF1Drop != null && !(maxF1Drop >= 0)) {
            throw new IllegalArgumentException("maxF1Drop must be >= 0 F1 points, got " + maxF1Drop);
        }
        scoreThreshold = scoreThreshold == null ? DEPLOYMENT_SCORE_THRESHOLD : scoreThreshold;
        if (!(scoreThreshold > 0 && scoreThreshold < 1)) {
            throw new IllegalArgumentException("scoreThreshold must be in (0, 1), got " + scoreThreshold);
        }
    }

    /** Without the firing-rate ranges (a policy for updates whose added classes the manufacturer labels). */
    public GatePolicy(Map<String, Double> protectedClasses, Double maxDropOther, double minGainAdded,
                      Double minMapChange, Double maxF1Drop, Double scoreThreshold) {
        this(protectedClasses, maxDropOther, minGainAdded, minMapChange, maxF1Drop, scoreThreshold, null, null);
    }

    /** The AP rules alone: no F1 rule, P / R / F1 reported at the deployment threshold. */
    public GatePolicy(Map<String, Double> protectedClasses, Double maxDropOther, double minGainAdded,
                      Double minMapChange) {
        this(protectedClasses, maxDropOther, minGainAdded, minMapChange, null, DEPLOYMENT_SCORE_THRESHOLD);
    }

    /** The evaluation settings the gate's evidence must be measured with: VOC's, P / R / F1 at the threshold. */
    public org.diredi.vision.eval.EvalConfig evalConfig() {
        return org.diredi.vision.eval.EvalConfig.DEFAULT.withScoreThreshold(scoreThreshold);
    }
}
