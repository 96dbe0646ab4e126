package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.StepBatch;

/**
 * One way of distilling a frozen teacher into a student: the {@code L_distill} term of
 * {@link DistillationObjective} (FGD in DiReDi's Distill A / B / C, and {@code L_RD} of Eq. 8). Methods
 * are chosen by name through {@link Distillations}; a new one is a class in this package and a line there.
 */
public interface Distillation {

    /** What a method builds itself from: both detectors (initialised), a manager for its own parameters, settings. */
    record Setup(FcosDetector teacher, FcosDetector student, NDManager manager, FgdConfig config) {}

    /**
     * A method's loss on one batch.
     *
     * @param total the weighted sum of its terms, a scalar
     * @param terms named scalar terms for the training log (history columns), in a stable order
     */
    record Loss(NDArray total, Map<String, NDArray> terms) {}

    /**
     * @param student the student's outputs, in the autograd graph
     * @param teacher the teacher's outputs without gradient, or null when {@link #usesTeacher()} is false
     * @param batch   the batch both ran on (boxes for masks)
     */
    Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps);

    /** False when the loss never reads the teacher, which then does not run. */
    default boolean usesTeacher() {
        return true;
    }

    /**
     * Parameters of the method that train with the student but are not part of it (FGD's align convs and
     * GcBlocks), or null. Their names are the checkpoint's objective-state names.
     */
    default Block trainableBlock() {
        return null;
    }

    /** Settings recorded in checkpoint manifests, in a stable order. */
    default Map<String, Double> settings() {
        return Map.of();
    }
}
