package org.diredi.edge.gpio;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.junit.jupiter.api.Test;

class GpioActionsTest {

    static final List<String> CLASSES = List.of("tshirt", "bag", "boot");

    static Detection det(int cls, float score) {
        return new Detection(cls, score, new Box(1, 1, 20, 20));
    }

    @Test
    void aPinIsHighWhileItsClassIsSeenAndDropsAfterTheHold() {
        try (GpioActions g = new GpioActions("mock", List.of(new GpioRule(17, "bag", 0.5f, 100)))) {
            assertFalse(g.isHigh(17));
            g.apply(List.of(det(0, 0.9f)), CLASSES, 0);
            assertFalse(g.isHigh(17), "another class does not trigger");
            g.apply(List.of(det(1, 0.4f)), CLASSES, 10);
            assertFalse(g.isHigh(17), "below minScore does not trigger");
            g.apply(List.of(det(1, 0.8f)), CLASSES, 20);
            assertTrue(g.isHigh(17));
            g.apply(List.of(), CLASSES, 100);
            assertTrue(g.isHigh(17), "held for 100 ms after the last sighting");
            g.apply(List.of(), CLASSES, 121);
            assertFalse(g.isHigh(17));
        }
    }

    @Test
    void twoRulesOnOnePinKeepItHighWhileEitherFires() {
        try (GpioActions g = new GpioActions("mock", List.of(new GpioRule(5, "bag", 0.5f, 0),
                new GpioRule(5, "boot", 0.5f, 0)))) {
            g.apply(List.of(det(2, 0.9f)), CLASSES, 0);
            assertTrue(g.isHigh(5));
            g.apply(List.of(det(1, 0.9f)), CLASSES, 1);
            assertTrue(g.isHigh(5));
            g.apply(List.of(), CLASSES, 2);
            assertFalse(g.isHigh(5));
        }
    }

    @Test
    void badRulesAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new GpioRule(-1, "bag", 0.5f, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> new GpioRule(4, "bag", 1.5f, 0));
        assertTrue(e.getMessage().contains("pin 4") && e.getMessage().contains("minScore"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GpioActions("spi", List.of()));
    }
}
