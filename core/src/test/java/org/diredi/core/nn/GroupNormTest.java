package org.diredi.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupNormTest {

    @Test
    void matchesADoublePrecisionReference() {
        int n = 2, c = 8, h = 3, w = 5, g = 4;
        Random r = new Random(1);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3 + 1);
        }
        float[] gamma = new float[c];
        float[] beta = new float[c];
        for (int i = 0; i < c; i++) {
            gamma[i] = 0.5f + i * 0.1f;
            beta[i] = -0.2f * i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = ConvNormAct.groupNorm(m.create(x, new Shape(n, c, h, w)), g, m.create(gamma), m.create(beta));
            float[] got = y.toFloatArray();
            int per = c / g * h * w;
            for (int s = 0; s < n; s++) {
                for (int gi = 0; gi < g; gi++) {
                    int base = s * c * h * w + gi * per;
                    double mean = 0;
                    for (int i = 0; i < per; i++) {
                        mean += x[base + i];
                    }
                    mean /= per;
                    double var = 0;
                    for (int i = 0; i < per; i++) {
                        var += (x[base + i] - mean) * (x[base + i] - mean);
                    }
                    var /= per;
                    for (int i = 0; i < per; i++) {
                        int ch = gi * (c / g) + i / (h * w);
                        double want = (x[base + i] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                        assertEquals(want, got[base + i], 1e-5, "sample " + s + " group " + gi + " index " + i);
                    }
                }
            }
        }
    }
}
