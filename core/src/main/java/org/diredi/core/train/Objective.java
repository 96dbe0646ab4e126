package org.diredi.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;

/**
 * What a training run minimises, given the student's outputs on a batch. Plain detection training
 * uses the FCOS loss; distillation adds feature terms computed against a frozen teacher.
 */
public interface Objective {

    /**
     * Terms whose names start with this are diagnostics (e.g. FGD's attention saturation per level): logged per
     * epoch in {@code history.json}'s {@code diagnostics}, never added to the loss.
     */
    String DIAGNOSTIC_PREFIX = "diag.";

    /**
     * Returns the total loss and puts each named term (scalars) into {@code terms} for logging.
     *
     * @param outputs the student's outputs (class logits, boxes, center-ness, neck features)
     * @param batch   the (augmented) inputs, for a teacher's forward pass, targets and boxes
     */
    NDArray loss(DetectorOutput outputs, StepBatch batch, ParameterStore ps, Map<String, NDArray> terms);

    /**
     * A block trained besides the student (distillation's align convs and GcBlocks), or null. Its
     * parameters are saved in checkpoints for resuming, but never as part of the student.
     */
    default Block trainableBlock() {
        return null;
    }

    /** Settings recorded in checkpoint manifests (e.g. FGD weights), or null for plain detection. */
    default Map<String, Double> settings() {
        return null;
    }
}
