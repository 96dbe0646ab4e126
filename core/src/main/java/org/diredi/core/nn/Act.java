package org.diredi.core.nn;

import ai.djl.ndarray.NDArray;

/** Activations used by the FCOS family. ReLU6 is MobileNetV2's (it keeps int8 ranges bounded). */
public enum Act {
    NONE,
    RELU,
    RELU6;

    NDArray apply(NDArray x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> x.getNDArrayInternal().relu();
            case RELU6 -> x.clip(0f, 6f);
        };
    }
}
