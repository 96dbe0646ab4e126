package org.diredi.cloud.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The calibration setting's names. */
class CalibrationTest {

    @Test
    void calibrationIsChosenByName() {
        assertEquals(Calibration.CLASS_BIAS, Calibration.of("classBias"));
        var e = assertThrows(IllegalArgumentException.class, () -> Calibration.of("bias"));
        assertTrue(e.getMessage().contains("[none, classBias]"), e.getMessage());
    }
}
