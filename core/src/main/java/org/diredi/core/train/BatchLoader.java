package org.diredi.core.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.diredi.core.fcos.FcosTargets;
import org.diredi.vision.data.Seeds;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.image.Augment;
import org.diredi.vision.image.Sample;

/**
 * One epoch of training batches, prepared on a background thread (shuffle, augmentation, FCOS
 * target assignment) while the training thread runs libtorch. Deterministic: the order and every
 * augmentation depend only on (seed, epoch, image position), so a resumed run sees the same data.
 */
public final class BatchLoader implements Iterator<HostBatch>, AutoCloseable {

    private static final HostBatch END = new HostBatch(new float[0], 0, List.of(), List.of());

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
    private final Thread worker;
    private final int batches;
    private Object next;

    public BatchLoader(DetectionSet set, int batchSize, Augment augment, long seed, int epoch,
                       FcosTargets targets) {
        int n = set.size();
        int[] order = Seeds.permutation(n, Seeds.mix(seed, epoch));
        batches = batchesPerEpoch(n, batchSize);
        worker = new Thread(() -> produce(set, batchSize, augment, seed, epoch, targets, order), "batch-loader");
        worker.setDaemon(true);
        worker.start();
    }

    /** Batches this epoch will yield. */
    public int batches() {
        return batches;
    }

    /** Batches per epoch: a last batch of one image is dropped (batch norm cannot train on it). */
    public static int batchesPerEpoch(int n, int batchSize) {
        int full = n / batchSize;
        int rest = n % batchSize;
        return full + (rest >= 2 || full == 0 ? 1 : 0);
    }

    private void produce(DetectionSet set, int batchSize, Augment augment, long seed, int epoch,
                         FcosTargets targets, int[] order) {
        try {
            int s = set.inputSize();
            int plane = 3 * s * s;
            for (int b = 0; b < batches; b++) {
                int from = b * batchSize;
                int to = Math.min(order.length, from + batchSize);
                float[] images = new float[(to - from) * plane];
                List<FcosTargets.Image> t = new ArrayList<>(to - from);
                List<List<VocObject>> objects = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    DetectionSet.Item item = set.items().get(order[i]);
                    Sample sample = new Sample(item.chw(), s, s, item.objects());
                    if (augment != null) {
                        Random r = new Random(Seeds.mix(seed, epoch, i));
                        sample = augment.apply(sample, r);
                    }
                    System.arraycopy(sample.chw(), 0, images, (i - from) * plane, plane);
                    t.add(targets.assign(sample.objects()));
                    objects.add(sample.objects());
                }
                queue.put(new HostBatch(images, to - from, t, objects));
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                queue.put(e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (next instanceof RuntimeException e) {
            throw e;
        }
        return next != END;
    }

    @Override
    public HostBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        HostBatch b = (HostBatch) next;
        next = null;
        return b;
    }

    @Override
    public void close() {
        worker.interrupt();
    }
}
