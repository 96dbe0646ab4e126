package org.diredi.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    @Test
    void warmsUpThenDecaysToTheFloor() {
        LrSchedule s = new LrSchedule(0.01f, 100, 1000, 0.02f);
        assertEquals(0.001f, s.at(0), 1e-7);
        assertEquals(0.01f, s.at(100), 1e-7);
        assertEquals(0.01f * 0.02f, s.at(1000), 1e-7);
        assertTrue(s.at(550) < s.at(300) && s.at(550) > s.at(900));
    }

    @Test
    void aShortRunWarmsUpForAtMostAFifthOfItsSteps() {
        LrSchedule s = new LrSchedule(0.001f, 200, 68, 0.02f);
        assertEquals(13, s.warmupSteps());
        assertEquals(0.001f, s.at(13), 1e-7); // the full rate is reached, not lr/3 as a 200-step warm-up would give
        assertEquals(0, new LrSchedule(0.001f, 200, 4, 0.02f).warmupSteps());
        assertEquals(0.001f, new LrSchedule(0.001f, 200, 4, 0.02f).at(0), 1e-7);
    }
}
