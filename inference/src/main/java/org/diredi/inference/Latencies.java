package org.diredi.inference;

import java.util.Arrays;

/**
 * The last {@code capacity} durations (a ring), summarised as p50 / p99 in milliseconds: what a
 * device's status message and the benchmarks report. Thread-safe; nearest-rank percentiles.
 */
public final class Latencies {

    private final long[] nanos;
    private int next;
    private long count;

    public Latencies(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        nanos = new long[capacity];
    }

    public synchronized void add(long durationNanos) {
        nanos[next] = durationNanos;
        next = (next + 1) % nanos.length;
        count++;
    }

    /** Samples ever added (not only those still in the window). */
    public synchronized long count() {
        return count;
    }

    /** Nearest-rank percentile ({@code q} in (0, 1]) of the window in ms; NaN when empty. */
    public synchronized double percentileMs(double q) {
        int n = (int) Math.min(count, nanos.length);
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(nanos, n);
        Arrays.sort(s);
        int rank = Math.max(1, (int) Math.ceil(q * n));
        return s[rank - 1] / 1e6;
    }

    public double p50() {
        return percentileMs(0.50);
    }

    public double p99() {
        return percentileMs(0.99);
    }

    /** Mean of the window in ms; NaN when empty. */
    public synchronized double meanMs() {
        int n = (int) Math.min(count, nanos.length);
        if (n == 0) {
            return Double.NaN;
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += nanos[i];
        }
        return sum / 1e6 / n;
    }
}
