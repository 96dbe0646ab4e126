package org.diredi.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/** Moves a block's parameters to and from {@link TensorFile.Tensor}s, by full parameter name. */
public final class ModelWeights {

    private static final NDIndex ALL = new NDIndex("...");

    private ModelWeights() {}

    /** All parameters (batch-norm running statistics included) whose name passes {@code filter}. */
    public static List<TensorFile.Tensor> snapshot(Block block, Predicate<String> filter) {
        List<TensorFile.Tensor> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (filter.test(p.getKey())) {
                NDArray a = p.getValue().getArray();
                out.add(new TensorFile.Tensor(p.getKey(), a.getShape().getShape(), a.toFloatArray()));
            }
        }
        return out;
    }

    public static List<TensorFile.Tensor> snapshot(Block block) {
        return snapshot(block, n -> true);
    }

    /**
     * Copies tensors into the block's parameters in place (so optimizer state and gradient flags stay
     * attached). With {@code exact}, the tensors must name every parameter; otherwise a subset is
     * allowed. Names, shapes and finiteness are checked before anything is written, so a bad file
     * never leaves a half-loaded model.
     */
    public static void restore(Block block, List<TensorFile.Tensor> tensors, boolean exact, String source) {
        Map<String, TensorFile.Tensor> byName = TensorFile.byName(tensors);
        Map<String, Parameter> params = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            params.put(p.getKey(), p.getValue());
        }
        Set<String> unknown = new TreeSet<>(byName.keySet());
        unknown.removeAll(params.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + unknown.size()
                    + " tensors name no parameter of this model, e.g. " + unknown.iterator().next());
        }
        if (exact) {
            Set<String> missing = new TreeSet<>(params.keySet());
            missing.removeAll(byName.keySet());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + missing.size()
                        + " parameters of this model are missing, e.g. " + missing.iterator().next());
            }
        }
        for (TensorFile.Tensor t : tensors) {
            long[] want = params.get(t.name()).getArray().getShape().getShape();
            if (!Arrays.equals(want, t.shape())) {
                throw new IllegalArgumentException(source + ": tensor " + t.name() + " has shape "
                        + Arrays.toString(t.shape()) + ", the model expects " + Arrays.toString(want));
            }
            int bad = t.firstNonFinite();
            if (bad >= 0) {
                throw new IllegalArgumentException(source + ": tensor " + t.name() + " holds "
                        + t.data()[bad] + " at index " + bad);
            }
        }
        for (TensorFile.Tensor t : tensors) {
            overwrite(params.get(t.name()).getArray(), t.data());
        }
    }

    /**
     * Overwrites {@code array}'s values in place with {@code data} (same shape), as a tensor copy.
     * Not {@code NDArray.set(Buffer)}: DJL's libtorch binding runs that under the deprecated
     * AutoNonVariableTypeMode guard, which prints a deprecation warning into every run that loads a
     * checkpoint, and it points the tensor at a Java buffer instead of copying into it.
     */
    public static void overwrite(NDArray array, float[] data) {
        // Through a detached view of the same storage: libtorch refuses an in-place write to a parameter
        // that records gradients wherever grad mode is on, and that mode is per thread (the cloud's
        // worker thread has it on).
        try (NDArray values = array.getManager().create(data, array.getShape());
             NDArray target = array.stopGradient()) {
            target.set(ALL, values);
        }
    }
}
