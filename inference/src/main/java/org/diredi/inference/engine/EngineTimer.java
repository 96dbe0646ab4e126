package org.diredi.inference.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diredi.inference.Latencies;
import org.diredi.inference.OnnxModel;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;

/**
 * Batch-1 latency of one inference engine on real images, shared by {@code bench latency} and
 * {@code bench perf}: every engine gets the same inputs and returns the same three head outputs
 * as float arrays, so the timings compare like with like.
 */
public final class EngineTimer {

    /** p50 / p99 of the timed runs in ms (nearest rank, as {@link Latencies} and the edge status report). */
    public record Timing(double p50Ms, double p99Ms, int runs) {}

    /** One forward pass on image {@code i}: class logits, box distances, center-ness, flattened. */
    public interface Engine {
        float[][] run(int i);
    }

    private EngineTimer() {}

    /** The first {@code n} images of a VOC split, preprocessed for a {@code size} px model. */
    public static List<float[]> images(Path data, String split, int size, int n) {
        VocDataset ds = VocDataset.load(data, split, ClassList.read(data.resolve("classes.txt")));
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < Math.min(n, ds.size()); i++) {
            images.add(Preprocess.toChw(Images.read(ds.images().get(i).imagePath()), size, size));
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(data + ": the " + split + " split has no images");
        }
        return images;
    }

    /** Runs {@code warmup} untimed then {@code runs} timed calls of {@code engine.run(i)}. */
    public static Timing time(int warmup, int runs, Engine engine) {
        for (int i = 0; i < warmup; i++) {
            engine.run(i);
        }
        Latencies l = new Latencies(runs);
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            engine.run(i);
            l.add(System.nanoTime() - t0);
        }
        return new Timing(l.p50(), l.p99(), runs);
    }

    /** ONNX Runtime on an opened exported model. */
    public static Engine onnxRuntime(OnnxModel model, List<float[]> images) {
        return i -> {
            OnnxModel.Outputs o = model.run(images.get(i % images.size()));
            return new float[][] {o.cls(), o.box(), o.centerness()};
        };
    }

    /** Largest absolute difference between two output arrays (infinite when their sizes differ). */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
