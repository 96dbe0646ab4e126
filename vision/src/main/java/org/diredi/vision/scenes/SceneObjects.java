package org.diredi.vision.scenes;

import java.util.Random;

/** A domain's objects, by index: each has a class and a paste alpha mask at any frame size. */
interface SceneObjects {

    /** Where the objects come from, recorded in provenance (e.g. {@code t10k}, {@code shapes}). */
    String name();

    /** Number of objects; valid indices are 0 .. count - 1. */
    int count();

    /** Class of object {@code index}, an index into its domain's class list. */
    int label(int index);

    /**
     * Object {@code index}'s paste alpha at {@code w x h}, in [0, 1]; per-paste variation (if any) comes
     * from {@code rnd}, so a scene stays a pure function of its seed.
     */
    float[] alpha(int index, int w, int h, Random rnd);
}
