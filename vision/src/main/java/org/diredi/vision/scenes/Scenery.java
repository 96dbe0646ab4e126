package org.diredi.vision.scenes;

import java.util.Random;

/** What a domain paints under its objects, and optionally over them (partial occluders). */
interface Scenery {

    /** Fills the planes (values in [0, 1]) with a background; returns its provenance name. */
    String background(Random rnd, float[] r, float[] g, float[] b);

    /** Paints over the pasted objects; boxes stay the objects' full extent. Nothing by default. */
    default void foreground(Random rnd, float[] r, float[] g, float[] b) {
    }
}
