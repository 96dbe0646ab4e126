package org.diredi.core.nn;

/**
 * Counts multiply-accumulate work of convolutions during one forward pass on this thread, so
 * FLOPs per image are measured on the real graph (shared FCOS head applied to every level included)
 * rather than estimated by hand. One FLOP = one multiply or one add (2 per MAC).
 */
public final class FlopCounter {

    private static final ThreadLocal<long[]> COUNT = new ThreadLocal<>();

    private FlopCounter() {}

    /** Starts counting on this thread. */
    public static void start() {
        COUNT.set(new long[1]);
    }

    /** Stops counting and returns the FLOPs seen since {@link #start()}. */
    public static long stop() {
        long[] c = COUNT.get();
        COUNT.remove();
        return c == null ? 0 : c[0];
    }

    static void add(long flops) {
        long[] c = COUNT.get();
        if (c != null) {
            c[0] += flops;
        }
    }
}
