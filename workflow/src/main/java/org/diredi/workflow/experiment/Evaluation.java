package org.diredi.workflow.experiment;

import ai.djl.Device;
import java.io.IOException;
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
 * recall and F1 at score 0.5 and, from the same detections, at the cameras' score threshold (the one the gate and the
 * calibration use); then every model calibrated for that threshold as the cameras would get it, counted there. Per-class
 * AP also shows the removed classes (what the customer's update costs them), so those are evaluated once more with
 * their labels; Table III stays on the update's classes, as in the paper.
 *
 * @param results       Table III: model -> result on the update's classes, precision, recall and F1 at 0.5
 * @param atCameras     the same detections counted at the cameras' threshold
 * @param calibrated    each model calibrated for the cameras' threshold ({@link Calibrator}), counted there
 * @param perClass      model -> result for the per-class table; {@code results} itself when nothing was removed
 * @param updateClasses the classes the update covers
 * @param shown         the per-class table's classes: the update's, then the removed ones
 */
record Evaluation(Map<String, EvalResult> results, Map<String, EvalResult> atCameras,
                  Map<String, EvalResult> calibrated, Map<String, EvalResult> perClass, List<String> updateClasses,
                  List<String> shown) {

    /** A model's checkpoint calibrated for the cameras' threshold (itself when it already is). */
    interface Calibrator {
        Path calibrated(String row, Path model) throws IOException;
    }

    /**
     * Evaluates {@code models} (row name -> checkpoint, in Table III order) on {@code test}, on {@code device},
     * counting precision, recall and F1 at 0.5 and at the cameras' {@code scoreThreshold}, then each model as
     * {@code calibrator} calibrates it, at that threshold.
     */
    static Evaluation of(Map<String, Path> models, VocDataset test, List<String> updateClasses, List<String> removed,
                         double scoreThreshold, Calibrator calibrator, Device device) throws IOException {
        List<String> shown = new ArrayList<>(updateClasses);
        removed.stream().filter(r -> !shown.contains(r)).forEach(shown::add);
        VocDataset table = test.restrictTo(updateClasses);
        VocDataset withRemoved = test.restrictTo(shown);
        EvalConfig at = EvalConfig.DEFAULT;
        EvalConfig atCamera = at.withScoreThreshold(scoreThreshold);
        Map<String, EvalResult> results = new LinkedHashMap<>();
        Map<String, EvalResult> atCameras = new LinkedHashMap<>();
        Map<String, EvalResult> calibrated = new LinkedHashMap<>();
        Map<String, EvalResult> perClass = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : models.entrySet()) {
            // the model runs over the images once; its detections are counted each way
            Map<String, List<Detection>> dets = Stages.detect(e.getValue(), test, device, FcosDecoder.Config.EVAL);
            var classes = Checkpoint.read(e.getValue()).classes();
            results.put(e.getKey(), VocEvaluator.evaluate(table.images(), dets, classes, at));
            atCameras.put(e.getKey(), VocEvaluator.evaluate(table.images(), dets, classes, atCamera));
            if (shown.size() > updateClasses.size()) {
                perClass.put(e.getKey(), VocEvaluator.evaluate(withRemoved.images(), dets, classes, at));
            }
            Path cal = calibrator.calibrated(e.getKey(), e.getValue());
            Map<String, List<Detection>> calDets = cal.equals(e.getValue()) ? dets
                    : Stages.detect(cal, test, device, FcosDecoder.Config.EVAL);
            calibrated.put(e.getKey(), VocEvaluator.evaluate(table.images(), calDets, classes, atCamera));
        }
        return new Evaluation(results, atCameras, calibrated, perClass.isEmpty() ? results : perClass, updateClasses,
                shown);
    }

    /** Whether the per-class table covers removed classes beyond Table III's. */
    boolean showsRemoved() {
        return shown.size() > updateClasses.size();
    }

    /** The cameras' score threshold of the second count. */
    double camerasThreshold() {
        return atCameras.values().stream().findFirst().map(r -> r.config().scoreThreshold()).orElse(Double.NaN);
    }
}
