package org.diredi.core.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

class FgdLossTest {

    private static VocObject box(float x1, float y1, float x2, float y2) {
        return new VocObject(0, new Box(x1, y1, x2, y2), false, false);
    }

    @Test
    void foregroundMaskIsOneOverBoxAreaInCellsWithMaxOnOverlap() {
        // 64 px input, 8x8 map (8 px cells); a box covers cells floor(x1 / 8) .. ceil(x2 / 8) inclusive.
        // A (8,8)-(24,16): x 1..3, y 1..2 -> 6 cells -> 1/6. B (25,17)-(31,23): x 3..4, y 2..3 -> 4 cells -> 1/4.
        float[][] m = FgdMasks.of(List.of(List.of(box(8, 8, 24, 16), box(25, 17, 31, 23))), 64, 8, 8);
        float[] fg = m[0];
        assertEquals(1f / 6, fg[1 * 8 + 1], 1e-7);
        assertEquals(1f / 6, fg[2 * 8 + 2], 1e-7);
        assertEquals(1f / 4, fg[2 * 8 + 3], 1e-7); // in both: the larger value (the smaller box) wins
        assertEquals(1f / 4, fg[3 * 8 + 4], 1e-7);
        assertEquals(0f, fg[0], 0f);
        int fgCells = 0;
        double bgSum = 0;
        for (int k = 0; k < 64; k++) {
            if (fg[k] > 0) {
                fgCells++;
                assertEquals(0f, m[1][k]);
            } else {
                bgSum += m[1][k];
                assertEquals(1f / 55, m[1][k], 1e-7); // background normalised by its 64 - 9 cells
            }
        }
        assertEquals(9, fgCells);
        assertEquals(1.0, bgSum, 1e-6);
    }

    @Test
    void attentionMapsSumAsDefined() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.randomNormal(new Shape(2, 5, 3, 4));
            NDArray[] a = FgdLoss.attention(f, 0.8f);
            float[] spatial = a[0].sum(new int[] {1, 2, 3}).toFloatArray();
            float[] channel = a[1].sum(new int[] {1, 2, 3}).toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertEquals(12f, spatial[i], 1e-4); // H * W
                assertEquals(5f, channel[i], 1e-4); // C
            }
        }
    }

    private static FgdLoss loss(NDManager m, int sc, int tc, FgdConfig cfg) {
        FgdLoss l = new FgdLoss(cfg, sc, tc);
        l.initialize(m, DataType.FLOAT32, new Shape(1, sc, 4, 4), new Shape(1, sc, 2, 2), new Shape(1, sc, 1, 1),
                new Shape(1, tc, 4, 4), new Shape(1, tc, 2, 2), new Shape(1, tc, 1, 1));
        return l;
    }

    private static NDList features(NDManager m, int c, long seed) {
        m.getEngine().setRandomSeed((int) seed);
        return new NDList(m.randomNormal(new Shape(1, c, 4, 4)), m.randomNormal(new Shape(1, c, 2, 2)),
                m.randomNormal(new Shape(1, c, 1, 1)));
    }

    @Test
    void zeroForEqualFeaturesAndPositiveOtherwise() {
        try (NDManager m = NDManager.newBaseManager()) {
            FgdLoss l = loss(m, 4, 4, new FgdConfig(0.8f, 1f, 1f, 1f, 1f));
            ParameterStore ps = new ParameterStore(m, false);
            List<List<VocObject>> boxes = List.of(List.of(box(1, 1, 6, 6))); // leaves background on the 4x4 level
            NDList t = features(m, 4, 1);
            FgdLoss.Terms same = l.evaluate(ps, t, t, boxes, 32);
            assertEquals(0f, same.total().getFloat(), 1e-7);
            FgdLoss.Terms diff = l.evaluate(ps, features(m, 4, 2), t, boxes, 32);
            assertTrue(diff.fg().getFloat() > 0, "fg " + diff.fg().getFloat());
            assertTrue(diff.bg().getFloat() > 0, "bg " + diff.bg().getFloat());
            assertTrue(diff.attention().getFloat() > 0, "attention " + diff.attention().getFloat());
        }
    }

    @Test
    void knownAnswerOnAHandMadeLevel() {
        // One level of 1 x 2 cells, 2 channels (32 px input, 16 px cells). The box (16,0)-(32,8) spans cells
        // x floor(1)..ceil(2), y floor(0)..ceil(0.25): 2 x 2 before clipping -> value 1/4 on cell 1, the only
        // cell of the map it covers; cell 0 is the whole background -> 1.
        float[] t = {1, 3, 2, 0}; // teacher (C=2, H=1, W=2): channel 0 = [1, 3], channel 1 = [2, 0]
        float[] s = {0, 3, 2, 1};
        float temp = 0.5f;
        // reference in double
        double[] sp = softmax(new double[] {(1 + 2) / 2.0 / temp, (3 + 0) / 2.0 / temp}, 2);
        double[] ch = softmax(new double[] {(1 + 3) / 2.0 / temp, (2 + 0) / 2.0 / temp}, 2);
        double fg = 0;
        double bg = 0;
        double[] fgMask = {0.0, 0.25};
        double[] bgMask = {1.0, 0.0};
        for (int c = 0; c < 2; c++) {
            for (int x = 0; x < 2; x++) {
                double d = (s[c * 2 + x] - t[c * 2 + x]) * Math.sqrt(sp[x] * ch[c]);
                fg += d * d * fgMask[x];
                bg += d * d * bgMask[x];
            }
        }
        double[] spS = softmax(new double[] {(0 + 2) / 2.0 / temp, (3 + 1) / 2.0 / temp}, 2);
        double[] chS = softmax(new double[] {(0 + 3) / 2.0 / temp, (2 + 1) / 2.0 / temp}, 2);
        double at = Math.abs(spS[0] - sp[0]) + Math.abs(spS[1] - sp[1]) + Math.abs(chS[0] - ch[0])
                + Math.abs(chS[1] - ch[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            FgdLoss l = new FgdLoss(new FgdConfig(temp, 1f, 1f, 1f, 0f), 2, 2);
            Shape lv = new Shape(1, 2, 1, 2);
            l.initialize(m, DataType.FLOAT32, lv, lv, lv, lv, lv, lv);
            NDArray tt = m.create(t, lv);
            NDArray ss = m.create(s, lv);
            NDArray zero = m.zeros(lv);
            // only level 0 differs; levels 1 and 2 are identical zeros
            FgdLoss.Terms r = l.evaluate(new ParameterStore(m, false), new NDList(ss, zero, zero),
                    new NDList(tt, zero, zero), List.of(List.of(box(16, 0, 32, 8))), 32);
            assertEquals(fg, r.fg().getFloat(), 1e-5);
            assertEquals(bg, r.bg().getFloat(), 1e-5);
            assertEquals(at, r.attention().getFloat(), 1e-5);
        }
    }

    private static double[] softmax(double[] v, double scale) {
        double max = Math.max(v[0], v[1]);
        double a = Math.exp(v[0] - max);
        double b = Math.exp(v[1] - max);
        return new double[] {scale * a / (a + b), scale * b / (a + b)};
    }
}
