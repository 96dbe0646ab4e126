package org.diredi.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    static List<Long> waits(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        Duration d = b.first();
        for (int i = 0; i < n; i++) {
            out.add(d.toMillis());
            d = b.after(d);
        }
        return out;
    }

    @Test
    void doublesFromOneSecondAndNeverPassesItsCap() {
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L, 60000L),
                waits(Backoff.upTo(Duration.ofSeconds(60)), 9), "Paho's own would go on to 64 s");
        assertEquals(List.of(500L, 500L), waits(Backoff.upTo(Duration.ofMillis(500)), 2), "a cap below 1 s");
    }

    @Test
    void refusesWaitsThatMakeNoSense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
