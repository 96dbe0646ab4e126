package org.diredi.cloud.merge;

import org.diredi.core.delta.DeltaMerge;

/**
 * Whether and how the cloud merges the deltas of several customers made against one base tutor
 * ({@code merge} in cloud.yaml).
 *
 * @param windowSeconds deltas of one group (the same base tutor and edge model) that arrive within this many
 *                      seconds of the group's first are merged ({@link DeltaMerge}) and the merged update is
 *                      verified once, every customer in it getting that decision; 0 = off, each delta decided alone
 * @param strategy      {@code weighted} or {@code perClass} ({@link DeltaMerge.Strategy})
 * @param weight        what a delta weighs: {@code images}, {@code objects} or {@code equal} ({@link DeltaMerge.Weight})
 */
public record MergeSettings(long windowSeconds, String strategy, String weight) {

    public static final MergeSettings DEFAULTS = new MergeSettings(0, "weighted", "images");

    public MergeSettings {
        if (windowSeconds < 0) {
            throw new IllegalArgumentException("merge.windowSeconds must be >= 0 (0 = off), got " + windowSeconds);
        }
        try {
            DeltaMerge.Strategy.of(strategy);
            DeltaMerge.Weight.of(weight);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("merge: " + e.getMessage());
        }
    }

    public boolean on() {
        return windowSeconds > 0;
    }

    /** The merge policy these settings name. */
    public DeltaMerge.Settings policy() {
        return new DeltaMerge.Settings(DeltaMerge.Strategy.of(strategy), DeltaMerge.Weight.of(weight));
    }
}
