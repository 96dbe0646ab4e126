package org.diredi.core.train;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.image.Images;
import org.diredi.vision.image.Preprocess;

/**
 * A VOC split decoded once and resized to the model input ({@link Preprocess}, the same code the
 * edge runtime uses), with boxes scaled to input pixels. Kept in memory: decoding JPEGs on every
 * epoch would cost more than the training step on a small model.
 */
public final class DetectionSet {

    /** One image at model-input size; {@code objects} in input pixels, {@code source} as annotated. */
    public record Item(VocImage source, float[] chw, List<VocObject> objects) {}

    private final VocDataset dataset;
    private final int inputSize;
    private final List<Item> items;

    private DetectionSet(VocDataset dataset, int inputSize, List<Item> items) {
        this.dataset = dataset;
        this.inputSize = inputSize;
        this.items = items;
    }

    /** Decodes and resizes every image of {@code dataset}, on all cores. */
    public static DetectionSet load(VocDataset dataset, int inputSize) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "decode");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Item>> futures = new ArrayList<>();
            for (VocImage img : dataset.images()) {
                futures.add(pool.submit(() -> toItem(img, inputSize)));
            }
            List<Item> items = new ArrayList<>(futures.size());
            for (Future<Item> f : futures) {
                items.add(f.get());
            }
            return new DetectionSet(dataset, inputSize, items);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Item toItem(VocImage img, int inputSize) {
        BufferedImage bi = Images.read(img.imagePath(), img.width(), img.height()); // checks the size too
        float sx = inputSize / (float) img.width();
        float sy = inputSize / (float) img.height();
        List<VocObject> scaled = new ArrayList<>(img.objects().size());
        for (VocObject o : img.objects()) {
            Box b = o.box().scale(sx, sy);
            scaled.add(new VocObject(o.classId(), b, o.difficult(), o.truncated()));
        }
        return new Item(img, Preprocess.toChw(bi, inputSize, inputSize), scaled);
    }

    public VocDataset dataset() {
        return dataset;
    }

    public int inputSize() {
        return inputSize;
    }

    public List<Item> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    /** The first {@code n} items (for tiny overfit runs and quick checks). */
    public DetectionSet head(int n) {
        return new DetectionSet(dataset, inputSize, items.subList(0, Math.min(n, items.size())));
    }
}
