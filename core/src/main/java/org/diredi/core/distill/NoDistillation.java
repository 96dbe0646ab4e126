package org.diredi.core.distill;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.train.StepBatch;

/** {@code none}: a zero distillation term, so the student trains on ground truth alone (a baseline). */
final class NoDistillation implements Distillation {

    @Override
    public Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps) {
        return new Loss(student.classLogits().getManager().zeros(new Shape()), Map.of());
    }

    @Override
    public boolean usesTeacher() {
        return false;
    }
}
