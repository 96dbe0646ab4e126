package org.diredi.core.train;

import org.diredi.core.engine.Devices;

/**
 * Training settings, from a YAML/JSON file laid over {@link #DEFAULTS} (see {@code ConfigFiles}).
 * The defaults train the {@code cpu} presets on FashionScenes on 2 CPU cores.
 *
 * @param epochs        passes over the training split
 * @param batchSize     images per step
 * @param optimizer     {@code sgd} (momentum, FCOS's choice) or {@code adamw}
 * @param lr            peak learning rate after warm-up
 * @param momentum      SGD momentum, or Adam's beta1
 * @param weightDecay   L2 (SGD) or decoupled (AdamW) weight decay
 * @param gradClip      largest global L2 norm of the gradient; a larger one is scaled down to it (0: off)
 * @param warmupSteps   linear warm-up from lr/10 over this many steps
 * @param minLrFactor   cosine decay ends at lr * minLrFactor
 * @param seed          seeds initial weights, shuffling and augmentation
 * @param augment       random horizontal flip, scale jitter and colour jitter on training images
 * @param focalAlpha    focal loss alpha
 * @param focalGamma    focal loss gamma
 * @param centerRadius  FCOS center-sampling radius in strides
 * @param evalEvery     evaluate on the validation split every this many epochs (0: never)
 * @param device        where training runs: {@code cpu}, {@code gpu} or {@code gpu:N} ({@code --device} overrides it)
 */
public record TrainConfig(
        int epochs,
        int batchSize,
        String optimizer,
        float lr,
        float momentum,
        float weightDecay,
        float gradClip,
        int warmupSteps,
        float minLrFactor,
        long seed,
        boolean augment,
        float focalAlpha,
        float focalGamma,
        float centerRadius,
        int evalEvery,
        String device) {

    /**
     * Default {@link #gradClip}: well above the global norm of ordinary steps (about 2 for the cpu presets),
     * so it only bounds rare large steps, the suspected cause of the box-loss collapses in BENCHMARKS.md
     * section 7b (mmdetection's FCOS clips at 35 for stability).
     */
    public static final float GRAD_CLIP = 10f;

    public static final TrainConfig DEFAULTS = new TrainConfig(
            24, 16, "adamw", 0.002f, 0.9f, 0.05f, GRAD_CLIP, 200, 0.02f, 42L, true, 0.25f, 2f, 1.5f, 4, "cpu");

    public TrainConfig {
        check(epochs >= 1, "epochs must be >= 1, got " + epochs);
        check(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        check("sgd".equals(optimizer) || "adamw".equals(optimizer),
                "optimizer must be 'sgd' or 'adamw', got '" + optimizer + "'");
        check(lr > 0 && Float.isFinite(lr), "lr must be > 0, got " + lr);
        check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
        check(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        check(gradClip >= 0 && Float.isFinite(gradClip), "gradClip must be >= 0 (0: off), got " + gradClip);
        check(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
        check(minLrFactor >= 0 && minLrFactor <= 1, "minLrFactor must be in [0, 1], got " + minLrFactor);
        check(focalAlpha > 0 && focalAlpha < 1, "focalAlpha must be in (0, 1), got " + focalAlpha);
        check(focalGamma >= 0, "focalGamma must be >= 0, got " + focalGamma);
        check(centerRadius > 0, "centerRadius must be > 0, got " + centerRadius);
        check(evalEvery >= 0, "evalEvery must be >= 0, got " + evalEvery);
        Devices.checkName(device, "device");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * These settings at another batch size, the learning rate scaled linearly with it (Goyal et al.'s rule).
     * Distill C fine-tunes a trained edge model at the paper's batch 8: at the batch-16 rate its box loss
     * doubled in the third epoch of the demo's run and the edge model fell to 0.1% mAP (BENCHMARKS.md section 4).
     */
    public TrainConfig atBatchSize(int batch) {
        return withBatchSize(batch).withLearningRate(lr * batch / batchSize);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, optimizer, lr, momentum, weightDecay, gradClip, warmupSteps, minLrFactor,
                seed, augment, focalAlpha, focalGamma, centerRadius, evalEvery, device);
    }

    public TrainConfig withLearningRate(float l) {
        return new TrainConfig(epochs, batchSize, optimizer, l, momentum, weightDecay, gradClip, warmupSteps, minLrFactor,
                seed, augment, focalAlpha, focalGamma, centerRadius, evalEvery, device);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(epochs, b, optimizer, lr, momentum, weightDecay, gradClip, warmupSteps, minLrFactor,
                seed, augment, focalAlpha, focalGamma, centerRadius, evalEvery, device);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, weightDecay, gradClip, warmupSteps, minLrFactor,
                s, augment, focalAlpha, focalGamma, centerRadius, evalEvery, device);
    }

    /** These settings on another device ({@link Devices}: cpu, gpu or gpu:N). */
    public TrainConfig withDevice(String d) {
        return new TrainConfig(epochs, batchSize, optimizer, lr, momentum, weightDecay, gradClip, warmupSteps, minLrFactor,
                seed, augment, focalAlpha, focalGamma, centerRadius, evalEvery, d);
    }

    public String summary() {
        return epochs + " epochs, batch " + batchSize + ", " + optimizer + " lr " + lr + ", seed " + seed
                + (augment ? ", augmented" : "");
    }

    /** Training settings from {@code file} (YAML or JSON) over the defaults, or the defaults when null. */
    public static TrainConfig load(java.nio.file.Path file) {
        return file == null ? DEFAULTS : org.diredi.vision.config.ConfigFiles.load(file, TrainConfig.class, DEFAULTS);
    }
}
