package org.diredi.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.TensorFile;

/**
 * SGD with momentum or AdamW over named parameters, with its state saved by parameter name so
 * that {@code --resume} continues exactly. The arithmetic is libtorch's fused update (through
 * DJL's NDArrayEx), which also zeroes the gradient. DJL's own optimizers key state by random
 * parameter ids and cannot be saved.
 */
public final class Optimizer {

    private final TrainConfig config;
    private final PairList<String, Parameter> params;
    private final Map<String, NDArray> first = new HashMap<>();
    private final Map<String, NDArray> second = new HashMap<>();
    private long step;

    /** Takes the parameters to train (frozen ones, such as a teacher's, are simply not passed). */
    public Optimizer(TrainConfig config, PairList<String, Parameter> trainable) {
        this.config = config;
        this.params = new PairList<>();
        for (Pair<String, Parameter> p : trainable) {
            if (p.getValue().requiresGradient()) {
                params.add(p);
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }

    public long step() {
        return step;
    }

    /** Applies one update with learning rate {@code lr} to every parameter that has a gradient. */
    public void update(float lr) {
        step++;
        boolean adam = config.optimizer().equals("adamw");
        float beta1 = config.momentum();
        float beta2 = 0.999f;
        for (Pair<String, Parameter> p : params) {
            NDArray w = p.getValue().getArray();
            try (NDArray g = w.getGradient()) {
                String name = p.getKey();
                // No decay on norms, biases and FCOS scales (standard practice: it only hurts them).
                float wd = decays(p.getValue()) ? config.weightDecay() : 0f;
                if (adam) {
                    NDArray m = first.computeIfAbsent(name, k -> w.zerosLike());
                    NDArray v = second.computeIfAbsent(name, k -> w.zerosLike());
                    double c1 = 1 - Math.pow(beta1, step);
                    double c2 = 1 - Math.pow(beta2, step);
                    float corrected = (float) (lr * Math.sqrt(c2) / c1);
                    w.getNDArrayInternal().adamUpdate(new NDList(w, g, m, v), new NDList(w), lr, corrected,
                            wd, 1f, -1f, beta1, beta2, 1e-8f, true, true);
                } else {
                    NDArray m = first.computeIfAbsent(name, k -> w.zerosLike());
                    w.getNDArrayInternal().sgdUpdate(new NDList(w, g, m), new NDList(w), lr, wd, 1f, -1f,
                            config.momentum(), true);
                }
            }
        }
    }

    private static boolean decays(Parameter p) {
        return p.getType() == Parameter.Type.WEIGHT && p.getArray().getShape().dimension() > 1;
    }

    /** State as named tensors: {@code step}, then {@code m/NAME} and {@code v/NAME}. */
    public List<TensorFile.Tensor> state() {
        List<TensorFile.Tensor> out = new ArrayList<>();
        out.add(new TensorFile.Tensor("step", new long[] {1}, new float[] {(float) step}));
        for (Pair<String, Parameter> p : params) {
            add(out, "m/", p.getKey(), first.get(p.getKey()));
            add(out, "v/", p.getKey(), second.get(p.getKey()));
        }
        return out;
    }

    private static void add(List<TensorFile.Tensor> out, String prefix, String name, NDArray a) {
        if (a != null) {
            out.add(new TensorFile.Tensor(prefix + name, a.getShape().getShape(), a.toFloatArray()));
        }
    }

    /** Restores state written by {@link #state()}; unknown names are an error (wrong model). */
    public void load(List<TensorFile.Tensor> state, String source) {
        Map<String, Parameter> byName = new HashMap<>();
        for (Pair<String, Parameter> p : params) {
            byName.put(p.getKey(), p.getValue());
        }
        for (TensorFile.Tensor t : state) {
            if (t.name().equals("step")) {
                step = (long) t.data()[0];
                continue;
            }
            String name = t.name().substring(2);
            Parameter p = byName.get(name);
            if (p == null || !(t.name().startsWith("m/") || t.name().startsWith("v/"))) {
                throw new IllegalArgumentException(source + ": optimizer state for unknown parameter " + t.name());
            }
            NDArray a = p.getArray().zerosLike();
            a.set(FloatBuffer.wrap(t.data()));
            (t.name().startsWith("m/") ? first : second).put(name, a);
        }
    }
}
