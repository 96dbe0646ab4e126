package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.train.StepBatch;

/**
 * {@code boxes}: localisation distillation, the student's box distances (l, t, r, b) learning the teacher's
 * through the GIoU loss the detection loss uses, so that response distillation teaches where objects end as
 * well as what they are ({@code logits+boxes}). The class and center-ness outputs carry no box.
 *
 * <p>Locations count by the teacher's confidence there (its largest class probability), normalised by the sum of
 * those weights, as {@code logits} weighs them; locations where the teacher is below {@link #MIN_CONFIDENCE}
 * are left out rather than weighted by almost zero, because an untrained box there can be so large that GIoU
 * gives inf - inf = NaN, and NaN times a small weight is still NaN.
 */
final class BoxDistillation implements Distillation {

    /** The teacher's confidence below which a location teaches no box. */
    static final float MIN_CONFIDENCE = 0.05f;

    private final float weight;

    BoxDistillation(Distillation.Setup s) {
        this.weight = s.config().boxesWeight();
    }

    @Override
    public Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps) {
        NDArray confidence = LogitsDistillation.confidence(teacher).reshape(-1); // (N * L)
        // rows, not a mask: a NaN from a wild box where the teacher is unsure would survive any weight; no row: 0
        NDIndex at = new NDIndex("{}", confidence.gte(MIN_CONFIDENCE).nonzero().reshape(-1));
        NDArray w = confidence.get(at);
        NDArray giou = FcosLoss.giouLoss(student.boxes().reshape(-1, 4).get(at),
                teacher.boxes().stopGradient().reshape(-1, 4).get(at));
        NDArray box = giou.mul(w).sum().div(w.sum().add(1e-6f));
        Map<String, NDArray> terms = new LinkedHashMap<>();
        terms.put("boxes_giou", box.mul(weight));
        return new Loss(box.mul(weight), terms);
    }

    @Override
    public Map<String, Double> settings() {
        return Map.of("boxes.weight", (double) weight);
    }
}
