package org.diredi.core.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.engine.Devices;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.LrSchedule;
import org.diredi.core.train.Optimizer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.Seeds;
import org.diredi.vision.image.Augment;
import org.diredi.vision.image.AugmentConfig;
import org.diredi.vision.image.Preprocess;
import org.diredi.vision.image.Sample;
import org.diredi.vision.report.ProgressBar;
import org.diredi.vision.scenes.FashionObjects;

/**
 * Backbone pretraining, the analogue of the ImageNet initialisation FCOS starts from: a preset's
 * backbone learns to classify single Fashion-MNIST objects ({@link FashionObjects}, train pool
 * only) with softmax cross-entropy and AdamW on the detectors' warm-up + cosine schedule; then its
 * parameters are written as a {@link BackboneFile} that detector training can start from. Batches
 * are rendered one step ahead on a background thread.
 */
public final class BackbonePretrainer {

    /** Flip and colour jitter only: a zoom could push the one object out of the image. */
    static final AugmentConfig AUGMENT = new AugmentConfig(0.5, 1, 1, 0.2, 0.2, 0.2, 0.4, 2);

    /** What a run wrote. */
    public record Result(Path file, BackboneManifest manifest) {}

    /** Normalised images (N, 3, S, S) flattened, and their class indices. */
    record Batch(float[] x, long[] labels) {

        int size() {
            return labels.length;
        }

        /** Images {@code [from, from + n)}. */
        Batch slice(int from, int n) {
            int per = x.length / labels.length;
            float[] xs = new float[n * per];
            System.arraycopy(x, from * per, xs, 0, n * per);
            long[] ys = new long[n];
            System.arraycopy(labels, from, ys, 0, n);
            return new Batch(xs, ys);
        }
    }

    private final ModelConfig preset;
    private final PretrainConfig config;
    private final Device device;
    private final PrintStream log;
    private final FashionObjects data;
    private final Augment augment;

    /** Pretrains on the default device ({@link Devices#CPU}). */
    public BackbonePretrainer(ModelConfig preset, PretrainConfig config, PrintStream log) {
        this(preset, config, Devices.require(Devices.CPU, "device"), log);
    }

    /** Pretrains on {@code device} ({@link Devices#require}). */
    public BackbonePretrainer(ModelConfig preset, PretrainConfig config, Device device, PrintStream log) {
        this.preset = preset;
        this.config = config;
        this.device = device;
        this.log = log;
        this.data = new FashionObjects(config.imageSize(), config.holdout(), config.seed());
        this.augment = config.augment() ? new Augment(AUGMENT) : null;
    }

    /** Trains and writes the backbone to {@code out} (and its manifest to {@code out.json}). */
    public Result run(Path out) throws IOException {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " is a directory; give the backbone file to write");
        }
        Engine.getInstance().setRandomSeed((int) config.seed());
        ExecutorService render = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pretrain-images");
            t.setDaemon(true);
            return t;
        });
        try (NDManager manager = NDManager.newBaseManager(device)) {
            BackboneClassifier model = new BackboneClassifier(preset, ClassList.FASHION.size())
                    .init(manager, config.imageSize());
            List<BackboneManifest.Epoch> history = new Session(model, manager, render).train();
            return write(out, model, history);
        } finally {
            render.shutdownNow();
        }
    }

    private int stepsPerEpoch() {
        return config.images() / config.batchSize();
    }

    /** Writes the backbone's parameters and a manifest of the data, settings and history that made them. */
    private Result write(Path out, BackboneClassifier model, List<BackboneManifest.Epoch> history)
            throws IOException {
        int steps = stepsPerEpoch();
        int b = config.batchSize();
        BackboneManifest.Data info = new BackboneManifest.Data(data.cropSource(), data.trainFrom(),
                data.trainTo(), data.valTo(), steps * b, (long) steps * b * config.epochs(), data.valImages(),
                config.imageSize(), data.photos(), ClassList.FASHION.names());
        BackboneManifest m = BackboneFile.write(out, new BackboneManifest(null, null, null, preset, info, config,
                history, history.get(history.size() - 1).valAccuracy(), null),
                ModelWeights.snapshot(model, n -> n.startsWith(FcosDetector.BACKBONE + "_")));
        log.printf("wrote %s (id %s, %d bytes) and %s%n", out, m.id(), Files.size(out),
                BackboneFile.manifestOf(out).getFileName());
        return new Result(out, m);
    }

    /** One run's moving parts: the classifier, its optimizer and schedule, and the batch rendered one step ahead. */
    private final class Session {
        private final BackboneClassifier model;
        private final NDManager manager;
        private final ExecutorService render;
        private final ParameterStore ps;
        private final Optimizer optimizer;
        private final LrSchedule schedule;
        private final int steps = stepsPerEpoch();
        private Future<Batch> next;

        Session(BackboneClassifier model, NDManager manager, ExecutorService render) {
            this.model = model;
            this.manager = manager;
            this.render = render;
            this.ps = new ParameterStore(manager, false);
            this.optimizer = optimizer(config, model);
            this.schedule = new LrSchedule(config.lr(), config.warmupSteps(), steps * config.epochs(),
                    config.minLrFactor());
        }

        /** Every epoch, each followed by a validation pass; returns the history. */
        List<BackboneManifest.Epoch> train() {
            int b = config.batchSize();
            Batch val = validation();
            List<BackboneManifest.Epoch> history = new ArrayList<>();
            log.printf("pretraining the %s backbone: %s; %d validation images%n", preset, config.summary(),
                    data.valImages());
            try (ProgressBar bar = new ProgressBar("pretrain " + preset.name(), (long) config.epochs() * steps * b,
                    log, "img")) {
                next = render.submit(() -> batch(0, 0));
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
                    long t0 = System.nanoTime();
                    double[] train = epoch(epoch, bar);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double[] v = evaluate(model, manager, ps, val, b);
                    history.add(new BackboneManifest.Epoch(epoch + 1, optimizer.step(), schedule.at(optimizer.step()),
                            train[0], train[1], v[0], v[1], seconds, steps * b / seconds));
                    log.printf("%nepoch %d/%d: loss %.4f, train acc %.4f, val loss %.4f, val top-1 %.4f%n",
                            epoch + 1, config.epochs(), train[0], train[1], v[0], v[1]);
                }
            }
            return history;
        }

        /** One epoch of optimisation steps; returns {mean loss, train accuracy}. */
        private double[] epoch(int epoch, ProgressBar bar) {
            int b = config.batchSize();
            double lossSum = 0;
            long correct = 0;
            for (int step = 0; step < steps; step++) {
                Batch batch = take(next);
                int ne = step + 1 < steps ? epoch : epoch + 1;
                int ns = step + 1 < steps ? step + 1 : 0;
                next = ne < config.epochs() ? render.submit(() -> batch(ne, ns)) : null;
                float lr = schedule.at(optimizer.step());
                float[] r = trainStep(model, manager, ps, batch, optimizer, lr);
                if (!Float.isFinite(r[0])) {
                    throw new IllegalStateException("pretraining loss became " + r[0] + " at epoch "
                            + (epoch + 1) + ", step " + optimizer.step() + " (lr " + lr
                            + "): lower the learning rate");
                }
                lossSum += r[0];
                correct += (long) r[1];
                bar.step(b, String.format("ep %d/%d loss %.3f acc %.3f", epoch + 1, config.epochs(),
                        lossSum / (step + 1), correct / (double) ((step + 1) * b)));
            }
            return new double[] {lossSum / steps, correct / (double) (steps * b)};
        }
    }

    /** AdamW (the detectors' optimizer) over every parameter of the classifier. */
    static Optimizer optimizer(PretrainConfig c, BackboneClassifier model) {
        TrainConfig tc = new TrainConfig(c.epochs(), c.batchSize(), "adamw", c.lr(), 0.9f, c.weightDecay(),
                TrainConfig.GRAD_CLIP, c.warmupSteps(), c.minLrFactor(), c.seed(), c.augment(), 0.25f, 2f, 1.5f, 0, "cpu");
        return new Optimizer(tc, model.getParameters());
    }

    /** One optimisation step; returns {mean loss, correct predictions} (no update when the loss is not finite). */
    static float[] trainStep(BackboneClassifier model, NDManager manager, ParameterStore ps, Batch batch,
                             Optimizer optimizer, float lr) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(batch.x(), shape(batch));
            NDArray y = step.create(batch.labels());
            float loss;
            long correct;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(ps, new NDList(x), true).singletonOrThrow();
                NDArray l = crossEntropy(logits, y);
                loss = l.getFloat();
                if (!Float.isFinite(loss)) {
                    return new float[] {loss, 0};
                }
                gc.backward(l);
                correct = logits.argMax(1).eq(y).sum().getLong();
            }
            optimizer.update(lr);
            return new float[] {loss, correct};
        }
    }

    /** {mean loss, top-1 accuracy} in inference mode (batch-norm running statistics), {@code batch} at a time. */
    static double[] evaluate(BackboneClassifier model, NDManager manager, ParameterStore ps, Batch images, int batch) {
        int n = images.size();
        double loss = 0;
        long correct = 0;
        for (int i = 0; i < n; i += batch) {
            Batch b = images.slice(i, Math.min(batch, n - i));
            try (NDManager sub = manager.newSubManager()) {
                NDArray y = sub.create(b.labels());
                NDArray logits = model.forward(ps, new NDList(sub.create(b.x(), shape(b))), false).singletonOrThrow();
                loss += crossEntropy(logits, y).getFloat() * b.size();
                correct += logits.argMax(1).eq(y).sum().getLong();
            }
        }
        return new double[] {loss / n, correct / (double) n};
    }

    private static Shape shape(Batch b) {
        int s = (int) Math.round(Math.sqrt(b.x().length / 3.0 / b.size()));
        return new Shape(b.size(), 3, s, s);
    }

    /** Mean softmax cross-entropy of logits (N, C) against class indices (N). */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return logits.logSoftmax(1).mul(labels.oneHot((int) logits.getShape().get(1))).sum(new int[] {1}).neg().mean();
    }

    /** Training batch {@code step} of {@code epoch}: normalised like detector inputs, then augmented. */
    Batch batch(int epoch, int step) {
        int b = config.batchSize();
        int s = config.imageSize();
        int per = 3 * s * s;
        float[] x = new float[b * per];
        long[] y = new long[b];
        for (int j = 0; j < b; j++) {
            int i = step * b + j;
            FashionObjects.Image im = data.train(epoch, i);
            Sample sample = new Sample(Preprocess.toChw(im.image(), s, s), s, s, List.of());
            if (augment != null) {
                sample = augment.apply(sample, new Random(Seeds.mix(config.seed(), 0xA06L, epoch, i)));
            }
            System.arraycopy(sample.chw(), 0, x, j * per, per);
            y[j] = im.label();
        }
        return new Batch(x, y);
    }

    /** The validation images: one per held-out crop, not augmented. */
    Batch validation() {
        int s = config.imageSize();
        int per = 3 * s * s;
        int n = data.valImages();
        float[] x = new float[n * per];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            FashionObjects.Image im = data.val(i);
            System.arraycopy(Preprocess.toChw(im.image(), s, s), 0, x, i * per, per);
            y[i] = im.label();
        }
        return new Batch(x, y);
    }

    private static Batch take(Future<Batch> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering pretraining images", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }
}
