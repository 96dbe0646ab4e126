package org.diredi.bench.training;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.engine.Devices;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.fcos.FcosTargets;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.BatchLoader;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.HostBatch;
import org.diredi.core.train.LrSchedule;
import org.diredi.core.train.Optimizer;
import org.diredi.core.train.TrainConfig;
import org.diredi.core.train.TrainStep;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.fcos.FcosGrid;
import org.diredi.vision.image.Augment;
import org.diredi.vision.image.AugmentConfig;

/**
 * The trainer's step ({@link TrainStep}: background BatchLoader, upload, forward, FCOS loss, backward,
 * optimizer update, loss read-back), repeated for a fixed number of steps with its phase clock on,
 * so {@code bench perf} can say where a step's time goes.
 *
 * <p>{@link #main} is the child JVM of {@code bench perf}: one preset per process, so that the
 * process's peak RSS (VmHWM) is that preset's training alone.
 */
public final class TimedTraining {

    /** Result line prefix on the child's stdout. */
    public static final String RESULT = "PERF-RESULT ";

    /**
     * Mean milliseconds per timed step in each phase. {@code data}: waiting for the loader thread;
     * {@code upload}: images and targets into NDArrays; {@code readback}: copying loss terms to Java
     * and freeing the step's arrays.
     */
    public record Phases(double dataMs, double uploadMs, double forwardMs, double lossMs, double backwardMs,
                         double optimizerMs, double readbackMs) {
        public double totalMs() {
            return dataMs + uploadMs + forwardMs + lossMs + backwardMs + optimizerMs + readbackMs;
        }

        /** "forward 31%, backward 52%, ..." largest first. */
        public String shares() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("data wait", dataMs);
            m.put("upload", uploadMs);
            m.put("forward", forwardMs);
            m.put("loss", lossMs);
            m.put("backward", backwardMs);
            m.put("optimizer", optimizerMs);
            m.put("read-back", readbackMs);
            double total = totalMs();
            return m.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                    .map(e -> String.format("%s %.0f%% (%.0f ms)", e.getKey(), 100 * e.getValue() / total, e.getValue()))
                    .reduce((a, b) -> a + ", " + b).orElse("");
        }
    }

    /**
     * One timed run. {@code forwardGflopsPerImage}: convolutions only (FlopCounter, 2 FLOPs per MAC);
     * {@code peakRssBytes} / {@code rssAfterDataBytes}: the process's VmHWM at the end and VmRSS after
     * the training split was decoded (0 when not measured).
     */
    public record Result(String preset, long params, int batch, int warmupSteps, int timedSteps, int images,
                         double seconds, double imagesPerSecond, double forwardGflopsPerImage, Phases perStep,
                         double lastLoss, int datasetImages, long datasetBytes, long rssAfterDataBytes,
                         long peakRssBytes) {

        /** This result with the child process's memory figures. */
        Result withMemory(long datasetBytes, long rssAfterDataBytes, long peakRssBytes) {
            return new Result(preset, params, batch, warmupSteps, timedSteps, images, seconds, imagesPerSecond,
                    forwardGflopsPerImage, perStep, lastLoss, datasetImages, datasetBytes, rssAfterDataBytes,
                    peakRssBytes);
        }
    }

    private TimedTraining() {}

    /**
     * Trains {@code model} for {@code warmup + steps} steps on {@code train}; only the last
     * {@code steps} are timed. {@code lr == null}: the configured warm-up + cosine schedule over the
     * run; otherwise that constant learning rate.
     */
    public static Result run(FcosDetector model, NDManager manager, TrainConfig cfg, DetectionSet train, int warmup,
                             int steps, Float lr) {
        ModelConfig mc = model.config();
        double gflops = model.flopsPerImage(manager) / 1e9;
        Optimizer optimizer = new Optimizer(cfg, model.parameters(n -> true));
        LrSchedule schedule = lr == null ? new LrSchedule(cfg.lr(), cfg.warmupSteps(), warmup + steps, cfg.minLrFactor())
                : new LrSchedule(lr, 0, warmup + steps, 1f);
        TrainStep step = new TrainStep(model, manager, objective(cfg), optimizer);
        Clock clock = new Clock(warmup);
        FcosTargets targets = targets(mc.inputSize(), cfg);
        Augment augment = cfg.augment() ? new Augment(AugmentConfig.DEFAULT) : null;
        for (int epoch = 0; clock.done < warmup + steps; epoch++) {
            try (BatchLoader loader = new BatchLoader(train, cfg.batchSize(), augment, cfg.seed(), epoch, targets)) {
                while (clock.done < warmup + steps && clock.step(loader, step, schedule, optimizer)) {
                    clock.done++;
                }
            }
        }
        double seconds = (System.nanoTime() - clock.timedStart) / 1e9;
        return new Result(mc.name(), model.parameterCount(), cfg.batchSize(), warmup, steps, clock.timedImages, seconds,
                clock.timedImages / seconds, gflops, clock.perStep(steps), clock.lastLoss, train.size(), 0, 0, 0);
    }

    private static DetectionObjective objective(TrainConfig cfg) {
        return new DetectionObjective(new FcosLoss.Config(cfg.focalAlpha(), cfg.focalGamma(), 1, 1, 1));
    }

    private static FcosTargets targets(int size, TrainConfig cfg) {
        return new FcosTargets(new FcosGrid(size, ModelConfig.STRIDES),
                new FcosTargets.Config(FcosTargets.Config.forInput(size).rangeBounds(), cfg.centerRadius()));
    }

    /** Steps done, and the data wait and trainer phases of the timed ones (those after {@code warmup}). */
    private static final class Clock {
        private final int warmup;
        private final long[] phaseNanos = new long[TrainStep.PHASES.length];
        private long dataWaitNanos;
        private long timedStart;
        private int done;
        private int timedImages;
        private double lastLoss = Double.NaN;

        Clock(int warmup) {
            this.warmup = warmup;
        }

        /** One step of the trainer; false when the loader has no batch left in this epoch. */
        boolean step(BatchLoader loader, TrainStep step, LrSchedule schedule, Optimizer optimizer) {
            boolean timed = done >= warmup;
            if (timed && timedStart == 0) {
                timedStart = System.nanoTime();
            }
            long t0 = System.nanoTime();
            if (!loader.hasNext()) {
                return false;
            }
            HostBatch hb = loader.next();
            float rate = schedule.at(optimizer.step());
            long waited = System.nanoTime() - t0;
            // the trainer's own step, with its phase clock (TrainStep.PHASES after the data wait)
            lastLoss = step.run(hb, rate, timed ? phaseNanos : null).get("total");
            if (timed) {
                dataWaitNanos += waited;
                timedImages += hb.size();
            }
            return true;
        }

        Phases perStep(int steps) {
            double k = 1e6 * Math.max(1, steps);
            long[] q = phaseNanos;
            return new Phases(dataWaitNanos / k, q[0] / k, q[1] / k, q[2] / k, q[3] / k, q[4] / k, q[5] / k);
        }
    }

    /** VmHWM (peak resident set) or VmRSS of this process in bytes, from /proc; 0 where there is no /proc. */
    static long procStatusBytes(String key) {
        return ChildJvm.statusBytes(Path.of("/proc/self/status"), key);
    }

    /**
     * The child process: {@code PRESET DATA BATCH WARMUP STEPS [CHECKPOINT]}. Loads the training split
     * as DetectorTrainer does (decoded once, in memory), trains, optionally saves the weights as a
     * (tiny-budget) checkpoint, and prints one {@link #RESULT} line of JSON.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: TimedTraining PRESET DATA BATCH WARMUP STEPS [CHECKPOINT]");
            System.exit(2);
        }
        ModelConfig mc = Presets.get(args[0]);
        Path data = Path.of(args[1]);
        int batch = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        TrainConfig cfg = TrainConfig.DEFAULTS.withBatchSize(batch);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        VocDataset ds = VocDataset.load(data, "train", classes);
        DetectionSet train = DetectionSet.load(ds, mc.inputSize());
        long datasetBytes = 4L * 3 * mc.inputSize() * mc.inputSize() * train.size();
        long rssAfterData = procStatusBytes("VmRSS");
        Stages.seed(cfg.seed());
        Result r;
        try (NDManager manager = NDManager.newBaseManager(Devices.require(cfg.device(), "device"))) {
            FcosDetector model = new FcosDetector(mc, classes).init(manager);
            r = run(model, manager, cfg, train, warmup, steps, null);
            if (args.length > 5) {
                String role = mc.name().substring(mc.name().indexOf('/') + 1);
                Checkpoint.write(Path.of(args[5]), Manifest.builder(role, mc, classes.names())
                        .data(Stages.dataInfo(ds, null)).training(cfg)
                        .progress(new Manifest.Progress(0, cfg.epochs(), warmup + steps))
                        .metrics(Map.of("total", r.lastLoss())).build(), ModelWeights.snapshot(model), null);
            }
        }
        r = r.withMemory(datasetBytes, rssAfterData, procStatusBytes("VmHWM"));
        System.out.println(RESULT + ConfigFiles.JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(r));
        System.exit(0); // libtorch's thread pools can keep a JVM alive
    }
}
