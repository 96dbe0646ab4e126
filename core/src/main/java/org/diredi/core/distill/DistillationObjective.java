package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Map;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.Objective;
import org.diredi.core.train.StepBatch;

/**
 * Feature distillation from a frozen teacher: {@code weightGt * L_det + weightFeature * L_FGD}.
 * With weights (1, 1) and a larger teacher this is Distill A / B / C of DiReDi; with a small
 * {@code weightGt} and the edge model as teacher it is reverse distillation (DiReDi Eq. 8,
 * {@code L = alpha L_gt + beta L_RD}).
 *
 * <p>The teacher runs in evaluation mode (batch norm uses its running statistics) with gradients
 * off, so its parameters never change.
 */
public final class DistillationObjective implements Objective {

    private final FcosDetector teacher;
    private final FgdLoss fgd;
    private final DetectionObjective detection;
    private final float weightFeature;
    private final int inputSize;

    public DistillationObjective(FcosDetector teacher, FcosDetector student, NDManager manager, FgdConfig fgdConfig,
                                 DetectionObjective detection, float weightFeature) {
        if (!teacher.classes().equals(student.classes())) {
            throw new IllegalArgumentException("teacher and student have different class lists: ["
                    + teacher.classes() + "] vs [" + student.classes() + "]");
        }
        if (teacher.config().inputSize() != student.config().inputSize()) {
            throw new IllegalArgumentException("teacher input " + teacher.config().inputSize()
                    + " px differs from student input " + student.config().inputSize()
                    + " px: their feature maps cannot be aligned");
        }
        this.teacher = teacher;
        this.detection = detection;
        this.weightFeature = weightFeature;
        this.inputSize = student.config().inputSize();
        for (Pair<String, Parameter> p : teacher.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        int sc = student.config().fpnChannels();
        int tc = teacher.config().fpnChannels();
        fgd = new FgdLoss(fgdConfig, sc, tc);
        Shape[] fs = student.getOutputShapes(new Shape[] {student.inputShape(1)});
        Shape[] ft = teacher.getOutputShapes(new Shape[] {teacher.inputShape(1)});
        fgd.initialize(manager, DataType.FLOAT32, fs[3], fs[4], fs[5], ft[3], ft[4], ft[5]);
    }

    public FgdLoss fgd() {
        return fgd;
    }

    @Override
    public NDArray loss(NDList outputs, StepBatch batch, ParameterStore ps, Map<String, NDArray> terms) {
        NDList t = teacher.forward(ps, new NDList(batch.images()), false);
        NDList teacherFeatures = new NDList(t.get(3).stopGradient(), t.get(4).stopGradient(), t.get(5).stopGradient());
        NDList studentFeatures = new NDList(outputs.get(3), outputs.get(4), outputs.get(5));
        FgdLoss.Terms f = fgd.evaluate(ps, studentFeatures, teacherFeatures, batch.objects(), inputSize);
        NDArray det = detection.loss(outputs, batch, ps, terms);
        terms.put("fgd_fg", f.fg());
        terms.put("fgd_bg", f.bg());
        terms.put("fgd_att", f.attention());
        terms.put("fgd_global", f.global());
        return det.add(f.total().mul(weightFeature));
    }

    @Override
    public Map<String, Double> settings() {
        FgdConfig c = fgd.config();
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("fgd.temperature", (double) c.temperature());
        m.put("fgd.alpha", (double) c.alpha());
        m.put("fgd.beta", (double) c.beta());
        m.put("fgd.gamma", (double) c.gamma());
        m.put("fgd.lambda", (double) c.lambda());
        m.put("weight.gt", (double) detection.weight());
        m.put("weight.feature", (double) weightFeature);
        return m;
    }

    @Override
    public Block trainableBlock() {
        return fgd;
    }
}
