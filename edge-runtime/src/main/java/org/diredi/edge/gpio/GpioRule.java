package org.diredi.edge.gpio;

/**
 * "Pin {@code pin} high while {@code className} is seen with score >= {@code minScore}; low again
 * {@code holdMs} after it was last seen" (the hold stops a relay chattering on missed frames).
 */
public record GpioRule(int pin, String className, float minScore, long holdMs) {

    public GpioRule {
        if (pin < 0) {
            throw new IllegalArgumentException("gpio rule: pin must be >= 0, got " + pin);
        }
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("gpio rule for pin " + pin + ": className is required");
        }
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new IllegalArgumentException("gpio rule for pin " + pin + ": minScore must be in [0, 1], got " + minScore);
        }
        if (holdMs < 0) {
            throw new IllegalArgumentException("gpio rule for pin " + pin + ": holdMs must be >= 0, got " + holdMs);
        }
    }
}
