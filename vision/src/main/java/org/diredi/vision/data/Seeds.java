package org.diredi.vision.data;

/**
 * Reproducible randomness for data work: a seed mixer and a seeded shuffle, so dataset
 * generation, batching and augmentation depend only on (seed, epoch, position) and not on thread
 * scheduling.
 */
public final class Seeds {

    private Seeds() {}

    /** Fisher-Yates with java.util.Random (whose sequence is specified), for stable output. */
    public static int[] permutation(int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Derives a well-mixed seed from several parts (SplitMix64 finaliser per part). */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h += p * 0xBF58476D1CE4E5B9L + 0x9E3779B97F4A7C15L;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }
}
