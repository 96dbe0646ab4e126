package org.diredi.core.pretrain;

/**
 * Settings of a backbone pretraining run ({@link BackbonePretrainer}); recorded in the backbone's
 * manifest. The defaults (200,000 images) take the cpu/edge backbone to about 65% top-1 in 17
 * minutes on one CPU thread (measured). These images are learnt slowly at first: 50% after 3 of
 * the 10 epochs, and a 3-epoch run at lr 0.002 reached only 22%, so fewer images or a lower rate
 * give a much weaker backbone.
 *
 * @param epochs      passes; each renders {@code images} new single-object images
 * @param images      training images per epoch
 * @param batchSize   images per step
 * @param lr          AdamW peak learning rate after warm-up
 * @param weightDecay AdamW decoupled weight decay (not on norms and biases)
 * @param warmupSteps linear warm-up from lr/10 over this many steps, then cosine decay
 * @param minLrFactor cosine decay ends at lr * minLrFactor
 * @param seed        seeds initial weights, images and augmentation
 * @param imageSize   side of the square images, px (a multiple of 32)
 * @param holdout     crops at the end of the train pool kept for validation (one image each)
 * @param augment     random horizontal flip and colour jitter
 */
public record PretrainConfig(int epochs, int images, int batchSize, float lr, float weightDecay, int warmupSteps,
                             float minLrFactor, long seed, int imageSize, int holdout, boolean augment) {

    public static final PretrainConfig DEFAULTS = new PretrainConfig(10, 20_000, 64, 0.006f, 0.05f, 100, 0.02f, 42L,
            64, 500, true);

    public PretrainConfig {
        check(epochs >= 1, "epochs must be >= 1, got " + epochs);
        check(batchSize >= 2, "batchSize must be >= 2 (batch norm), got " + batchSize);
        check(images >= batchSize, "images per epoch (" + images + ") must be at least one batch (" + batchSize + ")");
        check(lr > 0 && Float.isFinite(lr), "lr must be > 0, got " + lr);
        check(weightDecay >= 0, "weightDecay must be >= 0, got " + weightDecay);
        check(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
        check(minLrFactor >= 0 && minLrFactor <= 1, "minLrFactor must be in [0, 1], got " + minLrFactor);
        check(imageSize >= 32 && imageSize % 32 == 0, "imageSize must be a multiple of 32, got " + imageSize);
        check(holdout >= 1, "holdout must be >= 1, got " + holdout);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("pretraining: " + message);
        }
    }

    public PretrainConfig withEpochs(int e) {
        return new PretrainConfig(e, images, batchSize, lr, weightDecay, warmupSteps, minLrFactor, seed, imageSize,
                holdout, augment);
    }

    public PretrainConfig withImages(int n) {
        return new PretrainConfig(epochs, n, batchSize, lr, weightDecay, warmupSteps, minLrFactor, seed, imageSize,
                holdout, augment);
    }

    public PretrainConfig withLearningRate(float l) {
        return new PretrainConfig(epochs, images, batchSize, l, weightDecay, warmupSteps, minLrFactor, seed, imageSize,
                holdout, augment);
    }

    public PretrainConfig withSeed(long s) {
        return new PretrainConfig(epochs, images, batchSize, lr, weightDecay, warmupSteps, minLrFactor, s, imageSize,
                holdout, augment);
    }

    public PretrainConfig withBatchSize(int b) {
        return new PretrainConfig(epochs, images, b, lr, weightDecay, warmupSteps, minLrFactor, seed, imageSize,
                holdout, augment);
    }

    public String summary() {
        return epochs + " epochs x " + images + " images of " + imageSize + " px, batch " + batchSize + ", adamw lr "
                + lr + ", seed " + seed + (augment ? ", augmented" : "");
    }
}
