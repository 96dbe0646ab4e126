package org.diredi.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.DetectorOutput;

/** Direct training on ground truth: the FCOS loss alone. */
public final class DetectionObjective implements Objective {

    private final FcosLoss loss;
    private final float weight;

    public DetectionObjective(FcosLoss.Config config) {
        this(config, 1f);
    }

    /** {@code weight} scales the whole detector loss (the alpha of reverse distillation, Eq. 8). */
    public DetectionObjective(FcosLoss.Config config, float weight) {
        this.loss = new FcosLoss(config);
        this.weight = weight;
    }

    public float weight() {
        return weight;
    }

    @Override
    public NDArray loss(DetectorOutput outputs, StepBatch batch, ParameterStore ps, Map<String, NDArray> terms) {
        FcosLoss.Terms t = loss.evaluate(outputs, batch.targets());
        terms.put("cls", t.cls());
        terms.put("box", t.box());
        terms.put("ctr", t.ctr());
        return weight == 1f ? t.total() : t.total().mul(weight);
    }
}
