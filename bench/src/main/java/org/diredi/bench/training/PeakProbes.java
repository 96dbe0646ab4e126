package org.diredi.bench.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * This machine's libtorch peak: best-of-{@code reps} GFLOP/s of a large matmul and a large 3x3 conv
 * through DJL NDArray ops (2 FLOPs per MAC), the yardstick of the training throughput.
 *
 * @param matmulSide side of the square matrices
 * @param convBatch  batch of the 64-channel 128 x 128 conv input
 * @param reps       timed repetitions, the best of which counts
 */
public record PeakProbes(int matmulSide, int convBatch, int reps) {

    public static final PeakProbes FULL = new PeakProbes(2048, 8, 5);
    /** Small probes for smoke runs ({@code bench perf --quick}). */
    public static final PeakProbes QUICK = new PeakProbes(1024, 2, 2);

    public List<Peak> measure() {
        List<Peak> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            int n = matmulSide;
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            out.add(Peak.of("matmul", n + "x" + n + " @ " + n + "x" + n + " fp32", 2.0 * n * n * n, reps,
                    best(() -> a.matMul(b))));
            int c = 64;
            int hw = 128;
            NDArray x = m.randomUniform(-1, 1, new Shape(convBatch, c, hw, hw));
            NDArray w = m.randomUniform(-0.1f, 0.1f, new Shape(c, c, 3, 3));
            NDArray bias = m.zeros(new Shape(c));
            out.add(Peak.of("conv2d 3x3, pad 1", convBatch + "x" + c + "x" + hw + "x" + hw + " -> " + c
                    + " channels fp32", 2.0 * convBatch * c * c * 9 * hw * hw, reps,
                    best(() -> Conv2d.conv2d(x, w, bias, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow())));
        }
        return out;
    }

    private double best(Supplier<NDArray> op) {
        for (int i = 0; i < 2; i++) {
            op.get().close();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            try (NDArray r = op.get()) {
                // libtorch on CPU is synchronous; reading one value only makes sure the result exists
                r.getFloat(new long[r.getShape().dimension()]);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }
}
