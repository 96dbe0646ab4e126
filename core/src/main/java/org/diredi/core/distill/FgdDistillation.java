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
import org.diredi.core.train.Objective;
import org.diredi.core.train.StepBatch;

/**
 * {@code fgd}: FGD on the neck features of every pyramid level ({@link FgdLoss}), with the settings of
 * {@link FgdConfig}. Its trainable block is the {@link FgdLoss} itself, so the objective-state tensor names
 * in checkpoints are FgdLoss's ({@code align0_...}, {@code studentContext0_...}).
 *
 * <p>{@code pkd}: the same terms on maps standardised per image and channel (PKD), weighted by FGD's weights
 * times {@link FgdConfig#pkdScale()}.
 */
final class FgdDistillation implements Distillation {

    private final String name;
    private final FgdLoss fgd;
    private final int inputSize;

    /** FGD on the raw maps. */
    static FgdDistillation fgd(Setup s) {
        return new FgdDistillation("fgd", s.config(), false, s);
    }

    /** FGD on standardised maps, its weights scaled by {@link FgdConfig#pkdScale()}. */
    static FgdDistillation pkd(Setup s) {
        FgdConfig c = s.config();
        float k = c.pkdScale();
        FgdConfig scaled = new FgdConfig(c.distillation(), c.temperature(), c.alpha() * k, c.beta() * k,
                c.gamma() * k, c.lambda() * k, c.pkdScale(), c.logitsTemperature(), c.logitsWeight(), c.boxesWeight(),
                c.inherit());
        return new FgdDistillation("pkd", scaled, true, s);
    }

    private FgdDistillation(String name, FgdConfig config, boolean normalise, Setup s) {
        this.name = name;
        fgd = new FgdLoss(config, s.student().config().fpnChannels(), s.teacher().config().fpnChannels(), normalise);
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
        terms.put(name + "_fg", f.fg());
        terms.put(name + "_bg", f.bg());
        terms.put(name + "_att", f.attention());
        terms.put(name + "_global", f.global());
        f.diagnostics().forEach((k, v) -> terms.put(Objective.DIAGNOSTIC_PREFIX + name + "_" + k, v));
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
        m.put(name + ".temperature", (double) c.temperature());
        m.put(name + ".alpha", (double) c.alpha());
        m.put(name + ".beta", (double) c.beta());
        m.put(name + ".gamma", (double) c.gamma());
        m.put(name + ".lambda", (double) c.lambda());
        return m;
    }
}
