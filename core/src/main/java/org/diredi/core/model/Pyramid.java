package org.diredi.core.model;

/**
 * The feature pyramid's levels, one per stride of {@link ModelConfig#STRIDES} (P3, P4, P5 at strides
 * 8, 16, 32): how many there are and what they are called. Backbone taps, FPN levels, head outputs
 * and distillation terms all count levels from here.
 */
public final class Pyramid {

    private Pyramid() {}

    public static int levels() {
        return ModelConfig.STRIDES.length;
    }

    /** FPN's number of level {@code level}, log2 of its stride: 3 for P3 (stride 8). */
    public static int number(int level) {
        return Integer.numberOfTrailingZeros(ModelConfig.STRIDES[level]);
    }
}
