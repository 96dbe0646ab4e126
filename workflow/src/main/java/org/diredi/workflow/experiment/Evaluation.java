package org.diredi.workflow.experiment;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.stage.Stages;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.eval.VocEvaluator;
import org.diredi.vision.fcos.FcosDecoder;

/**
 * Every model of an experiment on the test split (Table III), over the classes the update covers, with precision,
 * recall and F1 at the cameras' score threshold (the one the gate and the calibration use) and, for comparison with
 * runs reported at 0.5, F1 at 0.5 too. Per-class AP also shows the removed classes (what the customer's update costs
 * them), so those are evaluated once more with their labels; Table III stays on the update's classes, as in the paper.
 *
 * @param results       Table III: model -> result on the update's classes at the cameras' threshold
 * @param atHalf        the same detections counted at score 0.5
 * @param perClass      model -> result for the per-class table; {@code results} itself when nothing was removed
 * @param updateClasses the classes the update covers
 * @param shown         the per-class table's classes: the update's, then the removed ones
 */
record Evaluation(Map<String, EvalResult> results, Map<String, EvalResult> atHalf, Map<String, EvalResult> perClass,
                  List<String> updateClasses, List<String> shown) {

    /** Where runs before the cameras' threshold was used counted precision, recall and F1. */
    static final double HALF = 0.5;

    /**
     * Evaluates {@code models} (row name -> checkpoint, in Table III order) on {@code test}, on {@code device},
     * counting precision, recall and F1 at {@code scoreThreshold}.
     */
    static Evaluation of(Map<String, Path> models, VocDataset test, List<String> updateClasses, List<String> removed,
                         double scoreThreshold, Device device) {
        List<String> shown = new ArrayList<>(updateClasses);
        removed.stream().filter(r -> !shown.contains(r)).forEach(shown::add);
        VocDataset table = test.restrictTo(updateClasses);
        VocDataset withRemoved = test.restrictTo(shown);
        EvalConfig at = EvalConfig.DEFAULT.withScoreThreshold(scoreThreshold);
        Map<String, EvalResult> results = new LinkedHashMap<>();
        Map<String, EvalResult> atHalf = new LinkedHashMap<>();
        Map<String, EvalResult> perClass = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : models.entrySet()) {
            // the model runs over the images once; its detections are counted each way
            Map<String, List<Detection>> dets = Stages.detect(e.getValue(), test, device, FcosDecoder.Config.EVAL);
            var classes = Checkpoint.read(e.getValue()).classes();
            results.put(e.getKey(), VocEvaluator.evaluate(table.images(), dets, classes, at));
            atHalf.put(e.getKey(), VocEvaluator.evaluate(table.images(), dets, classes, at.withScoreThreshold(HALF)));
            if (shown.size() > updateClasses.size()) {
                perClass.put(e.getKey(), VocEvaluator.evaluate(withRemoved.images(), dets, classes, at));
            }
        }
        return new Evaluation(results, atHalf, perClass.isEmpty() ? results : perClass, updateClasses, shown);
    }

    /** Whether the per-class table covers removed classes beyond Table III's. */
    boolean showsRemoved() {
        return shown.size() > updateClasses.size();
    }

    /** The score threshold of Table III's precision, recall and F1. */
    double scoreThreshold() {
        return results.values().stream().findFirst().map(r -> r.config().scoreThreshold()).orElse(Double.NaN);
    }
}
