package org.diredi.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.checkpoint.ModelWeights;
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

    /**
     * Applies one update with learning rate {@code lr} to every parameter that has a gradient, after
     * scaling the whole gradient down to {@link TrainConfig#gradClip()} when its global L2 norm is larger.
     *
     * @return the global L2 norm of the gradient before clipping; when it is not finite, nothing was updated
     */
    public float update(float lr) {
        step++;
        boolean adam = config.optimizer().equals("adamw");
        float beta1 = config.momentum();
        float beta2 = 0.999f;
        List<NDArray> grads = new ArrayList<>(params.size());
        try {
            for (Pair<String, Parameter> p : params) {
                grads.add(p.getValue().getArray().getGradient());
            }
            float norm = globalNorm(grads);
            if (!Float.isFinite(norm)) {
                // A NaN or infinite gradient would poison every weight: skip this update, and clear the gradients
                // that libtorch would otherwise add the next backward pass to. Arithmetic cannot clear them
                // (NaN * 0 is NaN) and NDArray.set(Buffer) would point the gradient at a Java buffer that is freed
                // with this wrapper (heap corruption, seen in Experiment 2): an indexed fill writes in place.
                for (NDArray g : grads) {
                    g.set(new NDIndex("..."), 0f);
                }
                return norm;
            }
            // One factor for all parameters keeps the update's direction (clip by global norm, not per tensor);
            // libtorch's fused update multiplies the gradient by it (rescaleGrad).
            float rescale = clips(norm) ? config.gradClip() / norm : 1f;
            for (int i = 0; i < params.size(); i++) {
                update(params.get(i), grads.get(i), lr, rescale, adam, beta1, beta2);
            }
            return norm;
        } finally {
            grads.forEach(NDArray::close);
        }
    }

    /** Whether a gradient of this global norm is scaled down (clipping on, norm above the limit). */
    public boolean clips(float norm) {
        return config.gradClip() > 0 && norm > config.gradClip();
    }

    /** sqrt of the sum of squares of every gradient, summed on the device and read back once. */
    private static float globalNorm(List<NDArray> grads) {
        if (grads.isEmpty()) {
            return 0f;
        }
        try (NDManager tmp = grads.get(0).getManager().newSubManager()) {
            NDArray sum = tmp.zeros(new Shape());
            for (NDArray g : grads) {
                NDArray squares = g.square();
                squares.attach(tmp);
                NDArray s = squares.sum();
                s.attach(tmp);
                sum.addi(s);
            }
            return (float) Math.sqrt(sum.getFloat());
        }
    }

    private void update(Pair<String, Parameter> p, NDArray g, float lr, float rescale, boolean adam, float beta1,
                        float beta2) {
        NDArray w = p.getValue().getArray();
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
                    wd, rescale, -1f, beta1, beta2, 1e-8f, true, true);
        } else {
            NDArray m = first.computeIfAbsent(name, k -> w.zerosLike());
            w.getNDArrayInternal().sgdUpdate(new NDList(w, g, m), new NDList(w), lr, wd, rescale, -1f,
                    config.momentum(), true);
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
            ModelWeights.overwrite(a, t.data());
            (t.name().startsWith("m/") ? first : second).put(name, a);
        }
    }
}
