package org.diredi.messaging;

import java.time.Duration;

/**
 * Waits between connection attempts: {@code first}, then twice the previous wait, never more than
 * {@code cap}. Doubling keeps a flapping link from hammering a broker that is coming back up; the cap
 * bounds how long a device stays offline after the broker is reachable again.
 */
public record Backoff(Duration first, Duration cap) {

    public Backoff {
        if (first == null || first.isNegative() || first.isZero()) {
            throw new IllegalArgumentException("first wait must be > 0, got " + first);
        }
        if (cap == null || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("cap must be >= the first wait (" + first + "), got " + cap);
        }
    }

    /** Starts at one second, or at the cap when that is shorter. */
    public static Backoff upTo(Duration cap) {
        Duration second = Duration.ofSeconds(1);
        return new Backoff(cap.compareTo(second) < 0 ? cap : second, cap);
    }

    /** The wait after {@code previous}: doubled, capped. */
    public Duration after(Duration previous) {
        Duration d = previous.multipliedBy(2);
        return d.compareTo(cap) > 0 ? cap : d;
    }
}
