package org.diredi.bench.inference;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.diredi.core.model.FcosDetector;
import org.diredi.inference.engine.EngineTimer;

/** DJL (libtorch) inference as an {@link EngineTimer.Engine}: the reference the exported engines are held against. */
final class DjlEngine {

    private DjlEngine() {}

    /** Each call's arrays live in a sub-manager closed after the copy out. */
    static EngineTimer.Engine of(FcosDetector model, NDManager manager, List<float[]> images) {
        ParameterStore ps = new ParameterStore(manager, false);
        int s = model.config().inputSize();
        return i -> {
            try (NDManager sub = manager.newSubManager()) {
                NDList out = model.forward(ps, new NDList(sub.create(images.get(i % images.size()), new Shape(1, 3, s, s))),
                        false);
                return new float[][] {out.get(0).toFloatArray(), out.get(1).toFloatArray(), out.get(2).toFloatArray()};
            }
        };
    }
}
