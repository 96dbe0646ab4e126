package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.Objective;
import org.diredi.core.train.StepBatch;

/**
 * Distillation from a frozen teacher: {@code weightGt * L_det + weightFeature * L_distill}, where
 * {@code L_distill} is the {@link Distillation} method the settings name (FGD by default). With weights
 * (1, 1) and a larger teacher this is Distill A / B / C of DiReDi; with a small {@code weightGt} and the
 * edge model as teacher it is reverse distillation (DiReDi Eq. 8, {@code L = alpha L_gt + beta L_RD}).
 *
 * <p>The teacher runs in evaluation mode (batch norm uses its running statistics) with gradients
 * off, so its parameters never change.
 */
public final class DistillationObjective implements Objective {

    private final FcosDetector teacher;
    private final Distillation method;
    private final DetectionObjective detection;
    private final float weightFeature;
    private final List<String> inherited;

    /**
     * @param config        the method ({@link FgdConfig#distillation()}) and its settings; with
     *                      {@link FgdConfig#inherit()} the student starts from the teacher's neck and head here
     * @param weightFeature the weight of the distillation term (beta of Eq. 8)
     */
    public DistillationObjective(FcosDetector teacher, FcosDetector student, NDManager manager, FgdConfig config,
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
        for (Pair<String, Parameter> p : teacher.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        // before the method is built: its own blocks may size themselves from the student
        inherited = config.inherit() ? Inheritance.neckAndHead(teacher, student) : List.of();
        method = Distillations.create(config.distillation(), new Distillation.Setup(teacher, student, manager, config));
    }

    /** The student's tensors the teacher's neck and head started ({@link FgdConfig#inherit()}), or none. */
    public List<String> inherited() {
        return inherited;
    }

    /** The distillation method in use. */
    public Distillation method() {
        return method;
    }

    @Override
    public NDArray loss(DetectorOutput outputs, StepBatch batch, ParameterStore ps, Map<String, NDArray> terms) {
        DetectorOutput t = method.usesTeacher() ? teacher.run(ps, batch.images(), false).withoutGradient() : null;
        Distillation.Loss d = method.loss(outputs, t, batch, ps);
        NDArray det = detection.loss(outputs, batch, ps, terms);
        terms.putAll(d.terms());
        return det.add(d.total().mul(weightFeature));
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>(method.settings());
        m.put("weight.gt", (double) detection.weight());
        m.put("weight.feature", (double) weightFeature);
        return m;
    }

    @Override
    public Block trainableBlock() {
        return method.trainableBlock();
    }
}
