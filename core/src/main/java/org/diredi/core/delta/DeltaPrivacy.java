package org.diredi.core.delta;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diredi.core.checkpoint.TensorFile;

/**
 * Differential privacy of the knowledge delta, on the customer's side before upload (client-side fixed clipping,
 * as Flower's local DP): the delta of Eq. 9 is scaled to global L2 norm at most C ({@code dW min(1, C / |dW|)}),
 * then every value gets independent noise N(0, (sigma C)^2). The clipped delta has L2 sensitivity C, so one upload
 * is (epsilon, delta)-DP with epsilon from the analytic Gaussian mechanism ({@link GaussianAccountant}) for noise
 * multiplier sigma, with respect to replacing the customer's data by any other (the whole delta is one release).
 *
 * <p>This record is what the manifest carries: the public settings and epsilon. Never the norm before clipping,
 * which would tell whether clipping happened and how much the private data moved the tutor.
 *
 * @param clipNorm        C
 * @param noiseMultiplier sigma: the noise's standard deviation is sigma * C
 * @param delta           the delta of (epsilon, delta)
 * @param epsilon         the analytic Gaussian mechanism's epsilon for one release; null when sigma is 0 (none)
 * @param epsilonClassic  the classic bound's epsilon {@code sqrt(2 ln(1.25 / delta)) / sigma} where it applies
 *                        (below 1); otherwise null
 */
public record DeltaPrivacy(double clipNorm, double noiseMultiplier, double delta, Double epsilon,
                           Double epsilonClassic) {

    /**
     * The on-prem settings ({@code privacy:} in onprem.yaml): off by default. {@code seed}: null draws the noise
     * from {@link SecureRandom}; a seed is for tests and benchmarks only (seeded noise can be subtracted).
     */
    public record Settings(boolean enabled, double clipNorm, double noiseMultiplier, double delta, Long seed) {
        public Settings {
            if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("privacy.clipNorm must be > 0 and finite, got " + clipNorm);
            }
            if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
                throw new IllegalArgumentException("privacy.noiseMultiplier must be >= 0 and finite, got "
                        + noiseMultiplier);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("privacy.delta must be in (0, 1), got " + delta);
            }
        }

        /** What these settings guarantee for one release. */
        public DeltaPrivacy guarantee() {
            double e = GaussianAccountant.epsilon(noiseMultiplier, delta);
            double c = noiseMultiplier == 0 ? Double.NaN : GaussianAccountant.classicEpsilon(noiseMultiplier, delta);
            return new DeltaPrivacy(clipNorm, noiseMultiplier, delta, Double.isInfinite(e) ? null : e,
                    Double.isNaN(c) ? null : c);
        }

        /** The noise source: seeded, or {@link SecureRandom}. */
        public Random random() {
            return seed == null ? new SecureRandom() : new Random(seed);
        }
    }

    /** The delta clipped and noised as the settings say, and the guarantee for the manifest. */
    public record Released(List<TensorFile.Tensor> tensors, DeltaPrivacy privacy) {}

    /** Clip then noise {@code delta} (the Eq. 9 difference) as {@code s} says; {@code s} must be enabled. */
    public static Released release(List<TensorFile.Tensor> delta, Settings s) {
        List<TensorFile.Tensor> clipped = clip(delta, s.clipNorm());
        return new Released(addNoise(clipped, s.noiseMultiplier() * s.clipNorm(), s.random()), s.guarantee());
    }

    /** {@code dW min(1, C / |dW|)}: a delta of norm at most C is returned as it is. */
    public static List<TensorFile.Tensor> clip(List<TensorFile.Tensor> delta, double clipNorm) {
        double norm = KnowledgeDelta.l2Norm(delta);
        if (!Double.isFinite(norm)) {
            throw new IllegalArgumentException("the delta holds NaN or infinite values: it cannot be clipped");
        }
        if (norm <= clipNorm) {
            return delta;
        }
        // float rounding may leave the norm a hair above C; the sensitivity bound needs <= C, so shrink until it holds
        double f = clipNorm / norm;
        for (int attempt = 0; attempt < 100; attempt++, f *= 1 - 1e-6) {
            List<TensorFile.Tensor> out = scaled(delta, f);
            if (KnowledgeDelta.l2Norm(out) <= clipNorm) {
                return out;
            }
        }
        throw new IllegalStateException("clipping to " + clipNorm + " did not converge from norm " + norm);
    }

    private static List<TensorFile.Tensor> scaled(List<TensorFile.Tensor> delta, double f) {
        List<TensorFile.Tensor> out = new ArrayList<>(delta.size());
        for (TensorFile.Tensor t : delta) {
            float[] v = new float[t.data().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (t.data()[i] * f);
            }
            out.add(new TensorFile.Tensor(t.name(), t.shape(), v));
        }
        return out;
    }

    /** Every value plus independent N(0, std^2) noise drawn from {@code random}. */
    public static List<TensorFile.Tensor> addNoise(List<TensorFile.Tensor> delta, double std, Random random) {
        if (std == 0) {
            return delta;
        }
        List<TensorFile.Tensor> out = new ArrayList<>(delta.size());
        for (TensorFile.Tensor t : delta) {
            float[] v = new float[t.data().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (t.data()[i] + std * random.nextGaussian());
            }
            out.add(new TensorFile.Tensor(t.name(), t.shape(), v));
        }
        return out;
    }

    /** One line: the settings and epsilon. */
    public String describe() {
        return String.format("clip %s, noise multiplier %s: (%s, %s)-DP per release (analytic Gaussian)%s", clipNorm,
                noiseMultiplier, epsilon == null ? "inf" : String.format("%.3f", epsilon), delta,
                epsilonClassic == null ? "" : String.format(", classic bound %.3f", epsilonClassic));
    }
}
