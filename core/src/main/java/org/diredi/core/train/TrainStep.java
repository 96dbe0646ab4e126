package org.diredi.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.core.fcos.TargetBatch;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;

/**
 * One optimisation step on a host batch: upload, forward, objective, backward, optimizer update,
 * loss read-back. The only copy of the step: {@link DetectorTrainer} runs it for every batch and
 * the performance benchmark runs it with a clock around each phase.
 */
public final class TrainStep {

    /** Phases a step's time is split into, in order (indices of the {@code clock} array). */
    public static final String[] PHASES = {"upload", "forward", "loss", "backward", "optimizer", "read-back"};

    /** Key of the gradient's global L2 norm before clipping in {@link #run}'s result (not a loss term). */
    public static final String GRAD_NORM = "gradNorm";

    /** The loss was NaN or infinite: nothing was updated. */
    public static final class NonFiniteLoss extends IllegalStateException {
        public NonFiniteLoss(float value) {
            super("loss became " + value);
        }
    }

    private final FcosDetector model;
    private final NDManager manager;
    private final Objective objective;
    private final Optimizer optimizer;
    private final ParameterStore ps;

    public TrainStep(FcosDetector model, NDManager manager, Objective objective, Optimizer optimizer) {
        this.model = model;
        this.manager = manager;
        this.objective = objective;
        this.optimizer = optimizer;
        this.ps = new ParameterStore(manager, false);
    }

    /**
     * Runs one step at learning rate {@code lr}.
     *
     * @param clock null, or an array of {@code PHASES.length} nanosecond totals this step adds to
     * @return {@code total}, every loss term and {@link #GRAD_NORM}, read back to Java
     * @throws NonFiniteLoss before backward and update, so the weights stay as they were
     */
    public Map<String, Float> run(HostBatch hb, float lr, long[] clock) {
        int s = model.config().inputSize();
        long t0 = System.nanoTime();
        Map<String, Float> out = new LinkedHashMap<>();
        long[] t = new long[PHASES.length];
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(hb.images(), new Shape(hb.size(), 3, s, s));
            TargetBatch tb = TargetBatch.of(step, hb.targets(), model.classes().size());
            t[0] = System.nanoTime();
            Map<String, NDArray> terms = new LinkedHashMap<>();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DetectorOutput pred = model.run(ps, x, true);
                t[1] = System.nanoTime();
                NDArray loss = objective.loss(pred, new StepBatch(x, tb, hb.objects()), ps, terms);
                float total = loss.getFloat();
                if (!Float.isFinite(total)) {
                    throw new NonFiniteLoss(total);
                }
                out.put("total", total);
                t[2] = System.nanoTime();
                gc.backward(loss);
                t[3] = System.nanoTime();
            }
            float gradNorm = optimizer.update(lr);
            t[4] = System.nanoTime();
            for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                out.put(e.getKey(), e.getValue().getFloat());
            }
            out.put(GRAD_NORM, gradNorm);
        }
        t[5] = System.nanoTime();
        if (clock != null) {
            long prev = t0;
            for (int i = 0; i < t.length; i++) {
                clock[i] += t[i] - prev;
                prev = t[i];
            }
        }
        return out;
    }
}
