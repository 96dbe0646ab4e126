package org.diredi.core.fcos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diredi.core.model.DetectorOutput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FcosLossTest {

    private static NDManager m;

    @BeforeAll
    static void init() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    private static float giou(float[] p, float[] t) {
        return FcosLoss.giouLoss(m.create(p, new Shape(1, 4)), m.create(t, new Shape(1, 4))).getFloat(0);
    }

    @Test
    void giouLossKnownAnswers() {
        // identical boxes: loss 0
        assertEquals(0f, giou(new float[] {2, 3, 4, 5}, new float[] {2, 3, 4, 5}), 1e-6);
        // nested: pred 2x2 (l=t=r=b=1) inside target 4x4 (2 each): IoU 4/16, enclosing = target -> loss 0.75
        assertEquals(0.75f, giou(new float[] {1, 1, 1, 1}, new float[] {2, 2, 2, 2}), 1e-6);
        // pred box [-1,1]x[-1,1] vs target [0,4]x[-1,1] (l=0? use l=0.0 ...): pred l=t=r=b=1, target l=0,t=1,r=4,b=1
        // inter: w = min(1,0)+min(1,4) = 1, h = 2 -> 2; areas 4 and 8; union 10; IoU 0.2
        // enclosing: w = max(1,0)+max(1,4) = 5, h = 2 -> 10 = union -> GIoU = 0.2, loss 0.8
        assertEquals(0.8f, giou(new float[] {1, 1, 1, 1}, new float[] {0, 1, 4, 1}), 1e-6);
    }

    @Test
    void focalLossMatchesTheFormula() {
        float[] x = {2f, -1f, 0.5f};
        float[] t = {1f, 0f, 0f};
        NDArray l = FcosLoss.sigmoidFocal(m.create(x), m.create(t), 0.25f, 2f);
        for (int i = 0; i < 3; i++) {
            double p = 1 / (1 + Math.exp(-x[i]));
            double pt = t[i] == 1 ? p : 1 - p;
            double at = t[i] == 1 ? 0.25 : 0.75;
            double want = -at * Math.pow(1 - pt, 2) * Math.log(pt);
            assertEquals(want, l.getFloat(i), 1e-6, "element " + i);
        }
        // gamma 0, alpha 0.5 is half the binary cross-entropy
        NDArray ce = FcosLoss.sigmoidFocal(m.create(x), m.create(t), 0.5f, 0f);
        assertEquals(0.5 * Math.log(1 + Math.exp(-2)), ce.getFloat(0), 1e-6);
    }

    @Test
    void bceWithLogitsIsStableForLargeLogits() {
        NDArray b = FcosLoss.bceWithLogits(m.create(new float[] {80f, -80f}), m.create(new float[] {0f, 1f}));
        assertEquals(80f, b.getFloat(0), 1e-4);
        assertEquals(80f, b.getFloat(1), 1e-4);
    }

    @Test
    void lossIsNormalisedByPositivesAndIgnoresBackgroundBoxes() {
        // one image, two locations, one class; location 0 positive
        NDArray cls = m.create(new float[] {0f, -10f}, new Shape(1, 2, 1));
        NDArray box = m.create(new float[] {1, 1, 1, 1, 5, 5, 5, 5}, new Shape(1, 2, 4));
        NDArray ctr = m.create(new float[] {0f, 3f}, new Shape(1, 2));
        TargetBatch tb = new TargetBatch(m.create(new float[] {1, 0}, new Shape(1, 2, 1)),
                m.create(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, new Shape(1, 2, 4)),
                m.create(new float[] {1f, 0f}, new Shape(1, 2)), m.create(new float[] {1, 0}, new Shape(1, 2)), 1, 1f);
        FcosLoss.Terms terms = new FcosLoss(FcosLoss.Config.DEFAULT)
                .evaluate(new DetectorOutput(cls, box, ctr, new NDList()), tb);
        assertEquals(0f, terms.box().getFloat(), 1e-6); // perfect box on the positive, background box ignored
        assertEquals(Math.log(2), terms.ctr().getFloat(), 1e-5); // BCE(0, 1) on the one positive
        double focal0 = 0.25 * 0.25 * Math.log(2); // p = 0.5, target 1
        double p1 = 1 / (1 + Math.exp(10));
        double focal1 = 0.75 * p1 * p1 * -Math.log(1 - p1);
        assertEquals(focal0 + focal1, terms.cls().getFloat(), 1e-6);
    }

    @Test
    void anOverflowingBackgroundBoxLeavesTheLossAndItsGradientFinite() {
        // the background location predicts a box so large that its GIoU is inf - inf = NaN
        NDArray cls = m.create(new float[] {0f, -10f}, new Shape(1, 2, 1));
        NDArray box = m.create(new float[] {2, 1, 1, 1, 3e38f, 3e38f, 3e38f, 3e38f}, new Shape(1, 2, 4));
        box.setRequiresGradient(true);
        NDArray ctr = m.create(new float[] {0f, 3f}, new Shape(1, 2));
        TargetBatch tb = new TargetBatch(m.create(new float[] {1, 0}, new Shape(1, 2, 1)),
                m.create(new float[] {1, 1, 1, 1, 0, 0, 0, 0}, new Shape(1, 2, 4)),
                m.create(new float[] {1f, 0f}, new Shape(1, 2)), m.create(new float[] {1, 0}, new Shape(1, 2)), 1, 1f);
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            FcosLoss.Terms terms = new FcosLoss(FcosLoss.Config.DEFAULT)
                    .evaluate(new DetectorOutput(cls, box, ctr, new NDList()), tb);
            // positive: predicted 3 x 2 around a 2 x 2 target: IoU 4/6, enclosing = union, so GIoU loss 1/3
            assertEquals(1 - 4.0 / 6, terms.box().getFloat(), 1e-5);
            gc.backward(terms.box());
        }
        float[] g = box.getGradient().toFloatArray();
        for (int i = 0; i < 8; i++) {
            assertTrue(Float.isFinite(g[i]), "gradient " + i + " is " + g[i]);
        }
        assertEquals(0f, g[4] + g[5] + g[6] + g[7], 0f); // the background box gets no gradient
    }
}
