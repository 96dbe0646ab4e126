package org.diredi.workflow.experiment;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.stage.Stages;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalResult;

/**
 * Every model of an experiment on the test split (Table III), over the classes the update covers.
 * Per-class AP also shows the removed classes (what the customer's update costs them), so those are
 * evaluated once more with their labels; Table III stays on the update's classes, as in the paper.
 *
 * @param results       Table III: model -> result on the update's classes
 * @param perClass      model -> result for the per-class table; {@code results} itself when nothing was removed
 * @param updateClasses the classes the update covers
 * @param shown         the per-class table's classes: the update's, then the removed ones
 */
record Evaluation(Map<String, EvalResult> results, Map<String, EvalResult> perClass, List<String> updateClasses,
                  List<String> shown) {

    /** Evaluates {@code models} (row name -> checkpoint, in Table III order) on {@code test}, on {@code device}. */
    static Evaluation of(Map<String, Path> models, VocDataset test, List<String> updateClasses, List<String> removed,
                         Device device) throws IOException {
        Map<String, EvalResult> results = evaluate(models, test.restrictTo(updateClasses), device);
        List<String> shown = new ArrayList<>(updateClasses);
        removed.stream().filter(r -> !shown.contains(r)).forEach(shown::add);
        Map<String, EvalResult> perClass = shown.size() > updateClasses.size()
                ? evaluate(models, test.restrictTo(shown), device) : results;
        return new Evaluation(results, perClass, updateClasses, shown);
    }

    /** Whether the per-class table covers removed classes beyond Table III's. */
    boolean showsRemoved() {
        return shown.size() > updateClasses.size();
    }

    private static Map<String, EvalResult> evaluate(Map<String, Path> models, VocDataset data, Device device)
            throws IOException {
        Map<String, EvalResult> out = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : models.entrySet()) {
            out.put(e.getKey(), Stages.evaluate(e.getValue(), data, null, device));
        }
        return out;
    }
}
