package org.diredi.core.distill;

/**
 * FGD settings (Yang et al., "Focal and Global Knowledge Distillation for Detectors", CVPR 2022).
 * {@link #FCOS_REFERENCE} is the FGD authors' FCOS configuration (tuned on COCO feature scales);
 * {@link #DEFAULTS} are what this project uses on FashionScenes, reported in BENCHMARKS.md §5: the
 * reference weights / 1000. FGD sums over C x H x W, so its scale follows the feature magnitudes;
 * with the reference weights the FGD loss on our FPNs is about 500x (tutor -> edge) to 12,000x
 * (large -> tutor) the detection loss. With
 * the scaled ones, Distill A (cpu large -> tutor) starts at 12x and ends at 1.8x, Distill B (cpu
 * tutor -> edge) at 27x and 1.3x; multiply by a feature weight to go lower (distill
 * --feature-weight).
 *
 * @param temperature attention temperature T (Eq. 2-3 of FGD)
 * @param alpha       weight of the foreground feature loss (Eq. 4)
 * @param beta        weight of the background feature loss (Eq. 4)
 * @param gamma       weight of the attention loss (Eq. 6)
 * @param lambda      weight of the global (GcBlock relation) loss (Eq. 8)
 */
public record FgdConfig(float temperature, float alpha, float beta, float gamma, float lambda) {

    public static final FgdConfig FCOS_REFERENCE = new FgdConfig(0.8f, 0.0016f, 0.0008f, 0.0008f, 0.000008f);

    public static final FgdConfig DEFAULTS = new FgdConfig(0.8f, 1.6e-6f, 8e-7f, 8e-7f, 8e-9f); // FCOS_REFERENCE / 1000

    public FgdConfig {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("fgd temperature must be > 0, got " + temperature);
        }
        if (alpha < 0 || beta < 0 || gamma < 0 || lambda < 0) {
            throw new IllegalArgumentException("fgd weights must be >= 0");
        }
    }
}
