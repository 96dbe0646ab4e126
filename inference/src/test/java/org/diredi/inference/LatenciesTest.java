package org.diredi.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void nearestRankPercentilesOverTheLastWindowOnly() {
        Latencies l = new Latencies(100);
        assertTrue(Double.isNaN(l.p50()));
        for (int i = 1; i <= 100; i++) {
            l.add(i * 1_000_000L); // 1..100 ms
        }
        assertEquals(50.0, l.p50(), 1e-9);
        assertEquals(99.0, l.p99(), 1e-9);
        assertEquals(50.5, l.meanMs(), 1e-9);
        for (int i = 0; i < 100; i++) {
            l.add(7_000_000L); // the window now holds only 7 ms
        }
        assertEquals(7.0, l.p99(), 1e-9);
        assertEquals(200, l.count());
    }
}
