package org.diredi.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import org.junit.jupiter.api.Test;

/** Gradient clipping by global norm, checked on plain SGD where the update is lr * gradient. */
class OptimizerTest {

    private static final float LR = 0.1f;

    /** SGD without momentum or decay, so one step is exactly {@code w - lr * rescale * g}. */
    private static TrainConfig sgd(float clip) {
        return new TrainConfig(1, 1, "sgd", LR, 0f, 0f, clip, 0, 1f, 1L, false, 0.25f, 2f, 1.5f, 0, "cpu");
    }

    /** One step on two parameters whose loss sum(a * ga) + sum(b * gb) has gradients ga = (30, 0), gb = (40). */
    private static float[][] step(TrainConfig config, float[] norm) {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT).build();
            Parameter b = Parameter.builder().setName("b").setType(Parameter.Type.BIAS).build();
            a.setArray(m.create(new float[] {1f, 2f}));
            b.setArray(m.create(new float[] {3f}));
            PairList<String, Parameter> params = new PairList<>();
            params.add("a", a);
            params.add("b", b);
            Optimizer opt = new Optimizer(config, params);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = a.getArray().mul(m.create(new float[] {30f, 0f})).sum()
                        .add(b.getArray().mul(40f).sum());
                gc.backward(loss);
            }
            norm[0] = opt.update(LR);
            return new float[][] {a.getArray().toFloatArray(), b.getArray().toFloatArray()};
        }
    }

    @Test
    void aGradientAboveTheLimitIsScaledDownAsAWhole() {
        float[] norm = new float[1];
        float[][] w = step(sgd(5f), norm);
        assertEquals(50f, norm[0], 1e-4); // sqrt(30^2 + 40^2), reported before clipping
        // scaled by 5 / 50 in every tensor: (30, 0) -> (3, 0) and 40 -> 4, so the direction is kept
        assertArrayEquals(new float[] {1f - LR * 3f, 2f}, w[0], 1e-5f);
        assertArrayEquals(new float[] {3f - LR * 4f}, w[1], 1e-5f);
    }

    @Test
    void aGradientWithinTheLimitOrWithClippingOffIsUnchanged() {
        float[] norm = new float[1];
        for (float clip : new float[] {0f, 60f}) {
            float[][] w = step(sgd(clip), norm);
            assertEquals(50f, norm[0], 1e-4);
            assertArrayEquals(new float[] {1f - LR * 30f, 2f}, w[0], 1e-5f);
            assertArrayEquals(new float[] {3f - LR * 40f}, w[1], 1e-5f);
        }
    }

    @Test
    void aNegativeOrNonFiniteLimitIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd(-1f));
        assertEquals("gradClip must be >= 0 (0: off), got -1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sgd(Float.NaN));
    }

    @Test
    void aNonFiniteGradientSkipsTheUpdateAndIsCleared() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT).build();
            a.setArray(m.create(new float[] {1f, 2f}));
            PairList<String, Parameter> params = new PairList<>();
            params.add("a", a);
            Optimizer opt = new Optimizer(sgd(5f), params);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(a.getArray().mul(m.create(new float[] {Float.NaN, 1f})).sum());
            }
            assertTrue(Float.isNaN(opt.update(LR)));
            assertArrayEquals(new float[] {1f, 2f}, a.getArray().toFloatArray(), 0f); // untouched
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(a.getArray().mul(m.create(new float[] {3f, 4f})).sum());
            }
            assertEquals(5f, opt.update(LR), 1e-5); // only this step's gradient: the NaN one was cleared
            assertArrayEquals(new float[] {1f - LR * 3f, 2f - LR * 4f}, a.getArray().toFloatArray(), 1e-6f);
        }
    }
}
