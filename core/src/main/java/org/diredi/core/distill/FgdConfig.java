package org.diredi.core.distill;

/**
 * Distillation settings: the method, by name ({@link Distillations}: {@code fgd}, {@code pkd}, {@code logits},
 * {@code boxes}, {@code none} or a sum such as {@code logits+boxes}), the FGD settings (Yang et al., "Focal and
 * Global Knowledge Distillation for Detectors", CVPR 2022), the scale of its normalised variant {@code pkd},
 * response distillation's temperature and weight, the box distillation's weight, and whether the student inherits
 * the teacher's neck and head.
 * {@link #FCOS_REFERENCE} is the FGD authors' FCOS configuration (tuned on COCO feature scales);
 * {@link #DEFAULTS} are what this project uses on FashionScenes, reported in BENCHMARKS.md §5: the
 * reference weights / 1000. FGD sums over C x H x W, so its scale follows the feature magnitudes;
 * with the reference weights the FGD loss on our FPNs is about 500x (tutor -> edge) to 12,000x
 * (large -> tutor) the detection loss. With
 * the scaled ones, Distill A (cpu large -> tutor) starts at 12x and ends at 1.8x, Distill B (cpu
 * tutor -> edge) at 27x and 1.3x; multiply by a feature weight to go lower (distill
 * --feature-weight).
 *
 * @param distillation      the distillation method, {@link Distillations#DEFAULT} ({@code fgd}) unless a file says
 *                          otherwise
 * @param temperature       attention temperature T (Eq. 2-3 of FGD)
 * @param alpha             weight of the foreground feature loss (Eq. 4)
 * @param beta              weight of the background feature loss (Eq. 4)
 * @param gamma             weight of the attention loss (Eq. 6)
 * @param lambda            weight of the global (GcBlock relation) loss (Eq. 8)
 * @param pkdScale          {@code pkd} weighs its terms by alpha..lambda times this: standardised maps have unit
 *                          scale, so the /1000 of {@link #DEFAULTS} (made for raw FPN magnitudes) is undone
 * @param logitsTemperature temperature of response distillation (DiReDi Eq. 1; its Distill C uses 1.5)
 * @param logitsWeight      weight of the response distillation loss within the method sum
 * @param boxesWeight       weight of the localisation distillation loss ({@code boxes}) within the method sum
 * @param inherit           start the student's neck and head from the teacher's where names and shapes match
 *                          (FGD's {@code init_student})
 */
public record FgdConfig(String distillation, float temperature, float alpha, float beta, float gamma, float lambda,
                        float pkdScale, float logitsTemperature, float logitsWeight, float boxesWeight,
                        boolean inherit) {

    public static final FgdConfig FCOS_REFERENCE = new FgdConfig(0.8f, 0.0016f, 0.0008f, 0.0008f, 0.000008f);

    public static final FgdConfig DEFAULTS = new FgdConfig(0.8f, 1.6e-6f, 8e-7f, 8e-7f, 8e-9f); // FCOS_REFERENCE / 1000

    /** {@link #pkdScale} of {@link #DEFAULTS}: back to the FGD authors' weights. */
    public static final float PKD_SCALE = 1000f;

    /** {@link #logitsTemperature} of {@link #DEFAULTS}: DiReDi's Distill C. */
    public static final float LOGITS_TEMPERATURE = 1.5f;

    public FgdConfig {
        Distillations.parse(distillation);
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("fgd temperature must be > 0, got " + temperature);
        }
        if (!(logitsTemperature > 0)) {
            throw new IllegalArgumentException("logitsTemperature must be > 0, got " + logitsTemperature);
        }
        if (alpha < 0 || beta < 0 || gamma < 0 || lambda < 0 || pkdScale < 0 || logitsWeight < 0
                || boxesWeight < 0) {
            throw new IllegalArgumentException("fgd weights must be >= 0");
        }
    }

    /** These FGD settings with a method, the default pkd scale and response distillation, and no inheriting. */
    public FgdConfig(String distillation, float temperature, float alpha, float beta, float gamma, float lambda) {
        this(distillation, temperature, alpha, beta, gamma, lambda, PKD_SCALE, LOGITS_TEMPERATURE, 1f, 1f, false);
    }

    /** FGD settings with the default method, {@code fgd}. */
    public FgdConfig(float temperature, float alpha, float beta, float gamma, float lambda) {
        this(Distillations.DEFAULT, temperature, alpha, beta, gamma, lambda);
    }

    /** These settings with another distillation method. */
    public FgdConfig withDistillation(String method) {
        return new FgdConfig(method, temperature, alpha, beta, gamma, lambda, pkdScale, logitsTemperature,
                logitsWeight, boxesWeight, inherit);
    }

    /** The same settings at another attention temperature. */
    public FgdConfig withTemperature(float t) {
        return new FgdConfig(distillation, t, alpha, beta, gamma, lambda, pkdScale, logitsTemperature, logitsWeight,
                boxesWeight, inherit);
    }

    /** These settings with or without the inheriting start. */
    public FgdConfig withInherit(boolean on) {
        return new FgdConfig(distillation, temperature, alpha, beta, gamma, lambda, pkdScale, logitsTemperature,
                logitsWeight, boxesWeight, on);
    }

    /** As reports printed it before the method was a setting; other methods and settings than FGD's are named. */
    @Override
    public String toString() {
        String extra = (pkdScale == PKD_SCALE ? "" : ", pkdScale=" + pkdScale)
                + (logitsTemperature == LOGITS_TEMPERATURE ? "" : ", logitsTemperature=" + logitsTemperature)
                + (logitsWeight == 1f ? "" : ", logitsWeight=" + logitsWeight)
                + (boxesWeight == 1f ? "" : ", boxesWeight=" + boxesWeight) + (inherit ? ", inherit=true" : "");
        return "FgdConfig[" + (distillation.equals(Distillations.DEFAULT) ? "" : "distillation=" + distillation + ", ")
                + "temperature=" + temperature + ", alpha=" + alpha + ", beta=" + beta + ", gamma=" + gamma
                + ", lambda=" + lambda + extra + "]";
    }
}
