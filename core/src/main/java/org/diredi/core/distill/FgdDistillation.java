package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.train.StepBatch;

/**
 * {@code fgd}: FGD on the neck features of every pyramid level ({@link FgdLoss}), with the settings of
 * {@link FgdConfig}. Its trainable block is the {@link FgdLoss} itself, so the objective-state tensor names
 * in checkpoints are FgdLoss's ({@code align0_...}, {@code studentContext0_...}).
 */
final class FgdDistillation implements Distillation {

    private final FgdLoss fgd;
    private final int inputSize;

    FgdDistillation(Setup s) {
        fgd = new FgdLoss(s.config(), s.student().config().fpnChannels(), s.teacher().config().fpnChannels());
        Shape[] fs = s.student().featureShapes(1);
        Shape[] ft = s.teacher().featureShapes(1);
        fgd.initialize(s.manager(), DataType.FLOAT32,
                Stream.concat(Stream.of(fs), Stream.of(ft)).toArray(Shape[]::new));
        inputSize = s.student().config().inputSize();
    }

    @Override
    public Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps) {
        FgdLoss.Terms f = fgd.evaluate(ps, student.features(), teacher.features(), batch.objects(), inputSize);
        Map<String, NDArray> terms = new LinkedHashMap<>();
        terms.put("fgd_fg", f.fg());
        terms.put("fgd_bg", f.bg());
        terms.put("fgd_att", f.attention());
        terms.put("fgd_global", f.global());
        return new Loss(f.total(), terms);
    }

    @Override
    public Block trainableBlock() {
        return fgd;
    }

    @Override
    public Map<String, Double> settings() {
        FgdConfig c = fgd.config();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("fgd.temperature", (double) c.temperature());
        m.put("fgd.alpha", (double) c.alpha());
        m.put("fgd.beta", (double) c.beta());
        m.put("fgd.gamma", (double) c.gamma());
        m.put("fgd.lambda", (double) c.lambda());
        return m;
    }
}
