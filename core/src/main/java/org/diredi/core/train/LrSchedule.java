package org.diredi.core.train;

/**
 * Learning rate by global step: linear warm-up from lr/10, then cosine decay to lr * minFactor.
 * A pure function of the step, so a resumed run continues on the same curve.
 *
 * <p>Warm-up takes at most a fifth of the run: short fine-tuning runs (reverse distillation,
 * Distill C, the demo) would otherwise spend all their steps below the learning rate they were given
 * (a 3-epoch RD run on 360 images has 68 steps, the default warm-up 200).
 */
public record LrSchedule(float lr, int warmupSteps, int totalSteps, float minFactor) {

    public LrSchedule {
        warmupSteps = Math.min(warmupSteps, totalSteps / 5);
    }

    public float at(long step) {
        if (step < warmupSteps) {
            return lr * (0.1f + 0.9f * step / warmupSteps); // warmupSteps > 0 here
        }
        long decay = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) decay);
        double cos = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (lr * (minFactor + (1 - minFactor) * cos));
    }
}
