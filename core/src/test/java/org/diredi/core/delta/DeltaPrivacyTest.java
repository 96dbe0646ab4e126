package org.diredi.core.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diredi.core.checkpoint.TensorFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clipping, the noise's spread and the analytic Gaussian accountant. */
class DeltaPrivacyTest {

    @TempDir
    Path dir;

    @Test
    void clippingBoundsTheNormAtCAndLeavesASmallerDeltaAlone() {
        List<TensorFile.Tensor> d = DeltaFormsTest.delta();
        double norm = KnowledgeDelta.l2Norm(d);
        assertTrue(norm > 1, "the fixture is larger than the clip below: " + norm);
        for (double c : new double[] {0.5, 1.0, norm / 3}) {
            List<TensorFile.Tensor> clipped = DeltaPrivacy.clip(d, c);
            double after = KnowledgeDelta.l2Norm(clipped);
            assertTrue(after <= c, after + " > " + c);
            assertEquals(c, after, c * 1e-5, "scaled down to C, not further");
            // the direction is kept: every value scaled by the same factor
            assertEquals(d.get(0).data()[7] * (c / norm), clipped.get(0).data()[7], 1e-6);
        }
        assertSame(d, DeltaPrivacy.clip(d, norm * 1.01), "a delta of norm below C is unchanged");
    }

    @Test
    void theNoisesStandardDeviationIsSigmaTimesC() {
        int n = 1_000_000;
        List<TensorFile.Tensor> zero = List.of(new TensorFile.Tensor("03head_w", new long[] {n}, new float[n]));
        double c = 2.5;
        double sigma = 0.8;
        DeltaPrivacy.Settings s = new DeltaPrivacy.Settings(true, c, sigma, 1e-5, 42L);
        float[] v = DeltaPrivacy.release(zero, s).tensors().get(0).data();
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sq / n - mean * mean);
        // the sample sd of 1e6 normals has relative standard error 1/sqrt(2n) = 0.07%: 0.5% is 7 standard errors
        assertEquals(sigma * c, sd, sigma * c * 0.005, "measured sd " + sd);
        assertEquals(0, mean, 5 * sigma * c / Math.sqrt(n), "zero-mean noise");
    }

    @Test
    void secureRandomIsTheDefaultAndASeedRepeats() {
        assertTrue(new DeltaPrivacy.Settings(true, 1, 1, 1e-5, null).random() instanceof java.security.SecureRandom);
        List<TensorFile.Tensor> d = DeltaFormsTest.delta();
        DeltaPrivacy.Settings seeded = new DeltaPrivacy.Settings(true, 1, 1, 1e-5, 7L);
        assertEquals(DeltaPrivacy.release(d, seeded).tensors().get(0).data()[3],
                DeltaPrivacy.release(d, seeded).tensors().get(0).data()[3]);
    }

    @Test
    void theAccountantMatchesAnIndependentReferenceAndInvertsTheExactCondition() {
        // references: scipy.stats.norm.cdf in the same condition, solved by scipy.optimize.brentq (xtol 1e-14)
        Map<Double, Double> scipy = Map.of(1.0, 4.377178095681225, 2.0, 1.9930914044151173, 5.0, 0.7255217508577968);
        scipy.forEach((sigma, ref) -> {
            double eps = GaussianAccountant.epsilon(sigma, 1e-5);
            assertEquals(ref, eps, ref * 1e-4, "sigma " + sigma);
            // the bisection inverts the closed form for delta at given epsilon
            assertEquals(1e-5, GaussianAccountant.delta(eps, sigma), 1e-5 * 1e-3, "sigma " + sigma);
            assertTrue(GaussianAccountant.delta(eps * 0.99, sigma) > 1e-5, "the least such epsilon");
        });
        assertTrue(GaussianAccountant.epsilon(3, 1e-5) < GaussianAccountant.epsilon(2, 1e-5), "more noise, less epsilon");
        assertEquals(Double.POSITIVE_INFINITY, GaussianAccountant.epsilon(0, 1e-5));
        // the classic bound applies below epsilon 1 only, and is looser than the exact one
        assertEquals(Math.sqrt(2 * Math.log(1.25e5)) / 5, GaussianAccountant.classicEpsilon(5, 1e-5), 1e-12);
        assertTrue(GaussianAccountant.classicEpsilon(5, 1e-5) > GaussianAccountant.epsilon(5, 1e-5));
        assertTrue(Double.isNaN(GaussianAccountant.classicEpsilon(1, 1e-5)));
        assertEquals(0.5 * (1 + 0.6826894921370859), GaussianAccountant.phi(1), 2e-7);
    }

    @Test
    void settingsOutOfRangeNameTheKey() {
        var a = assertThrows(IllegalArgumentException.class, () -> new DeltaPrivacy.Settings(true, 0, 1, 1e-5, null));
        assertTrue(a.getMessage().startsWith("privacy.clipNorm"), a.getMessage());
        var b = assertThrows(IllegalArgumentException.class, () -> new DeltaPrivacy.Settings(true, 1, -0.1, 1e-5, null));
        assertTrue(b.getMessage().startsWith("privacy.noiseMultiplier"), b.getMessage());
        for (double delta : new double[] {0, 1, Double.NaN}) {
            var c = assertThrows(IllegalArgumentException.class, () -> new DeltaPrivacy.Settings(true, 1, 1, delta, null));
            assertTrue(c.getMessage().startsWith("privacy.delta"), c.getMessage());
        }
    }

    @Test
    void theManifestCarriesTheSettingsAndEpsilonButNotTheNormBeforeClipping() throws IOException {
        List<TensorFile.Tensor> d = DeltaFormsTest.delta();
        DeltaPrivacy.Settings s = new DeltaPrivacy.Settings(true, 0.5, 1.0, 1e-5, 3L);
        DeltaPrivacy.Released r = DeltaPrivacy.release(d, s);
        Path f = dir.resolve("dp.delta");
        KnowledgeDelta.write(f, DeltaFormsTest.manifest().withPrivacy(r.privacy()), r.tensors(), DeltaEncoding.FLOAT16);
        DeltaManifest m = KnowledgeDelta.read(f).manifest();
        assertEquals(0.5, m.privacy().clipNorm());
        assertEquals(4.377178, m.privacy().epsilon(), 1e-3);
        assertNull(m.privacy().epsilonClassic(), "the classic bound does not apply at epsilon >= 1");
        String json = org.diredi.vision.config.ConfigFiles.toJson(m);
        String preClip = String.valueOf(KnowledgeDelta.l2Norm(d));
        assertTrue(!json.contains(preClip.substring(0, 6)), "the norm before clipping is not in " + json);
        assertEquals(KnowledgeDelta.l2Norm(KnowledgeDelta.read(f).tensors()), m.l2Norm(), 1e-9);
    }
}
