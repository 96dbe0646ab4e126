package org.diredi.core.nn;

/** Normalisation after a convolution: batch norm in backbones and necks, group norm in FCOS towers. */
public enum Norm {
    NONE,
    BATCH,
    GROUP
}
