package org.diredi.cloud.update;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * What the manufacturer does to the scores of the updated tutor between Eq. 10 and the gate, and of the edge model
 * Distill C made before it ships: {@code none}, or {@code classBias} ({@link
 * org.diredi.core.eval.ClassBiasCalibration}: one logit shift per class, fitted on the manufacturer's own training data
 * for the best F1 at the gate's score threshold, the cameras').
 */
public enum Calibration {
    NONE("none"),
    CLASS_BIAS("classBias");

    private final String key;

    Calibration(String key) {
        this.key = key;
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** By its configuration name; anything else is refused with the names allowed. */
    @JsonCreator
    public static Calibration of(String key) {
        return Arrays.stream(values()).filter(c -> c.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("calibration must be one of "
                        + Arrays.stream(values()).map(Calibration::key).toList() + ", got '" + key + "'"));
    }
}
