package org.diredi.core.delta;

/**
 * Privacy of one release of the Gaussian mechanism {@code M(x) = f(x) + N(0, (sigma * C)^2 I)} for an f of L2
 * sensitivity C (the clipped knowledge delta), so that only the noise multiplier sigma matters.
 *
 * <p>The analytic Gaussian mechanism (Balle and Wang, ICML 2018, Theorem 8): M is (epsilon, delta)-DP if and
 * only if {@code Phi(1/(2 sigma) - epsilon sigma) - e^epsilon Phi(-1/(2 sigma) - epsilon sigma) <= delta}. The
 * left side decreases in epsilon, so {@link #epsilon} finds the least epsilon by bisection; it is exact, where the
 * classic bound {@code sigma >= sqrt(2 ln(1.25 / delta)) / epsilon} (Dwork and Roth, Theorem A.1) holds only for
 * epsilon < 1 and is looser. Phi uses a Chebyshev erfc with relative error below 1.2e-7 (Numerical Recipes),
 * also in the tails, so the condition is evaluated to about 1e-7 relative of its terms.
 */
public final class GaussianAccountant {

    private GaussianAccountant() {}

    /** Left side of the exact condition: the least delta for which sigma gives (epsilon, delta)-DP. */
    public static double delta(double epsilon, double sigma) {
        double a = 1 / (2 * sigma) - epsilon * sigma;
        double b = -1 / (2 * sigma) - epsilon * sigma;
        return phi(a) - Math.exp(epsilon + logPhi(b));
    }

    /**
     * The least epsilon with {@code delta(epsilon, sigma) <= delta}, to 1e-10 relative; +Infinity when sigma is 0
     * (no noise, no guarantee).
     */
    public static double epsilon(double sigma, double delta) {
        if (!(sigma >= 0) || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("need sigma >= 0 and 0 < delta < 1, got " + sigma + ", " + delta);
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (delta(0, sigma) <= delta) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        while (delta(hi, sigma) > delta) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > 1e-10 * hi) {
            double mid = (lo + hi) / 2;
            if (delta(mid, sigma) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * The classic bound's epsilon, {@code sqrt(2 ln(1.25 / delta)) / sigma}, or NaN where it does not apply
     * (that epsilon is 1 or more, or sigma is 0).
     */
    public static double classicEpsilon(double sigma, double delta) {
        double e = Math.sqrt(2 * Math.log(1.25 / delta)) / sigma;
        return e < 1 ? e : Double.NaN;
    }

    /** Standard normal CDF. */
    static double phi(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** ln Phi(x), accurate for very negative x where Phi underflows towards 0. */
    static double logPhi(double x) {
        if (x > -5) {
            return Math.log(phi(x));
        }
        double z = -x / Math.sqrt(2);
        return Math.log(0.5) + logErfcScaled(z) - z * z;
    }

    /** erfc(x), Chebyshev fit with fractional error below 1.2e-7 everywhere. */
    static double erfc(double x) {
        double z = Math.abs(x);
        double ans = Math.exp(logErfcScaled(z) - z * z);
        return x >= 0 ? ans : 2 - ans;
    }

    /** ln(erfc(z) e^(z^2)) for z >= 0. */
    private static double logErfcScaled(double z) {
        double t = 1 / (1 + 0.5 * z);
        double p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return Math.log(t) + p;
    }
}
