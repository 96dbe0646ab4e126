package org.diredi.vision.eval;

/** How average precision summarises a precision/recall curve. */
public enum ApMethod {

    /**
     * VOC2010+ (and the default): exact area under the monotone precision envelope, i.e. precision
     * at each recall level is the maximum precision at that or any higher recall.
     */
    ALL_POINT("all-point (VOC2010+)"),

    /** VOC2007: mean of the envelope sampled at recall 0, 0.1, ..., 1.0 (11 points). */
    ELEVEN_POINT("11-point (VOC2007)");

    private final String label;

    ApMethod(String label) {
        this.label = label;
    }

    /** Human-readable name for reports. */
    public String label() {
        return label;
    }
}
