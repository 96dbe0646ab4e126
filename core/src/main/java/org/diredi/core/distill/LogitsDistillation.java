package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.train.StepBatch;

/**
 * {@code logits}: response distillation of the head's outputs (DiReDi Eq. 1, Hinton's KD for sigmoid outputs):
 * the binary KL divergence between the teacher's and the student's temperature-softened class probabilities
 * and center-ness, times {@code T^2} so that the gradient's scale does not shrink with the temperature.
 *
 * <p>Every location counts, weighted by the teacher's confidence there (its largest class probability) and
 * normalised by the sum of those weights, as dense detectors' logit distillation usually does: an unweighted
 * mean would be dominated by the thousands of background locations where both models already say nothing.
 */
final class LogitsDistillation implements Distillation {

    private final float temperature;
    private final float weight;

    LogitsDistillation(Setup s) {
        this.temperature = s.config().logitsTemperature();
        this.weight = s.config().logitsWeight();
    }

    @Override
    public Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps) {
        NDArray tCls = teacher.classLogits().stopGradient();
        NDArray where = confidence(teacher); // (N, L)
        NDArray norm = where.sum().add(1e-6f);
        float t2 = temperature * temperature;
        NDArray cls = binaryKl(student.classLogits(), tCls).sum(new int[] {2}).mul(where).sum().div(norm).mul(t2);
        NDArray ctr = binaryKl(student.centerness(), teacher.centerness().stopGradient()).mul(where).sum().div(norm)
                .mul(t2);
        Map<String, NDArray> terms = new LinkedHashMap<>();
        terms.put("logits_cls", cls.mul(weight));
        terms.put("logits_ctr", ctr.mul(weight));
        return new Loss(cls.add(ctr).mul(weight), terms);
    }

    /** The teacher's confidence at each location, (N, L): its largest class probability, without gradient. */
    static NDArray confidence(DetectorOutput teacher) {
        return teacher.classLogits().stopGradient().getNDArrayInternal().sigmoid().max(new int[] {2});
    }

    /**
     * KL(sigmoid(t / T) || sigmoid(s / T)) per element: the cross-entropy of the student against the teacher's soft
     * target minus the target's own entropy, both from logits for stability; zero where the logits agree.
     */
    private NDArray binaryKl(NDArray studentLogits, NDArray teacherLogits) {
        NDArray s = studentLogits.div(temperature);
        NDArray t = teacherLogits.div(temperature);
        NDArray target = t.getNDArrayInternal().sigmoid();
        return FcosLoss.bceWithLogits(s, target).sub(FcosLoss.bceWithLogits(t, target));
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("logits.temperature", (double) temperature);
        m.put("logits.weight", (double) weight);
        return m;
    }
}
