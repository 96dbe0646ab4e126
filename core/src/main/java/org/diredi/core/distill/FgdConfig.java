package org.diredi.core.distill;

/**
 * Distillation settings: the method, by name ({@link Distillations}: {@code fgd}, {@code none} or a sum
 * such as {@code fgd+none}), and the FGD settings (Yang et al., "Focal and Global Knowledge Distillation
 * for Detectors", CVPR 2022).
 * {@link #FCOS_REFERENCE} is the FGD authors' FCOS configuration (tuned on COCO feature scales);
 * {@link #DEFAULTS} are what this project uses on FashionScenes, reported in BENCHMARKS.md §5: the
 * reference weights / 1000. FGD sums over C x H x W, so its scale follows the feature magnitudes;
 * with the reference weights the FGD loss on our FPNs is about 500x (tutor -> edge) to 12,000x
 * (large -> tutor) the detection loss. With
 * the scaled ones, Distill A (cpu large -> tutor) starts at 12x and ends at 1.8x, Distill B (cpu
 * tutor -> edge) at 27x and 1.3x; multiply by a feature weight to go lower (distill
 * --feature-weight).
 *
 * @param distillation the distillation method, {@link Distillations#DEFAULT} ({@code fgd}) unless a file says otherwise
 * @param temperature attention temperature T (Eq. 2-3 of FGD)
 * @param alpha       weight of the foreground feature loss (Eq. 4)
 * @param beta        weight of the background feature loss (Eq. 4)
 * @param gamma       weight of the attention loss (Eq. 6)
 * @param lambda      weight of the global (GcBlock relation) loss (Eq. 8)
 */
public record FgdConfig(String distillation, float temperature, float alpha, float beta, float gamma, float lambda) {

    public static final FgdConfig FCOS_REFERENCE = new FgdConfig(0.8f, 0.0016f, 0.0008f, 0.0008f, 0.000008f);

    public static final FgdConfig DEFAULTS = new FgdConfig(0.8f, 1.6e-6f, 8e-7f, 8e-7f, 8e-9f); // FCOS_REFERENCE / 1000

    public FgdConfig {
        Distillations.parse(distillation);
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("fgd temperature must be > 0, got " + temperature);
        }
        if (alpha < 0 || beta < 0 || gamma < 0 || lambda < 0) {
            throw new IllegalArgumentException("fgd weights must be >= 0");
        }
    }

    /** FGD settings with the default method, {@code fgd}. */
    public FgdConfig(float temperature, float alpha, float beta, float gamma, float lambda) {
        this(Distillations.DEFAULT, temperature, alpha, beta, gamma, lambda);
    }

    /** These settings with another distillation method. */
    public FgdConfig withDistillation(String method) {
        return new FgdConfig(method, temperature, alpha, beta, gamma, lambda);
    }

    /** The same settings at another attention temperature (Distill C uses 1.5). */
    public FgdConfig withTemperature(float t) {
        return new FgdConfig(distillation, t, alpha, beta, gamma, lambda);
    }

    /** As reports printed it before the method was a setting; other methods than FGD are named. */
    @Override
    public String toString() {
        return "FgdConfig[" + (distillation.equals(Distillations.DEFAULT) ? "" : "distillation=" + distillation + ", ")
                + "temperature=" + temperature + ", alpha=" + alpha + ", beta=" + beta + ", gamma=" + gamma
                + ", lambda=" + lambda + "]";
    }
}
