package org.diredi.core.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosTargets;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.provenance.Provenance;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;
import org.diredi.vision.image.Augment;
import org.diredi.vision.image.AugmentConfig;
import org.diredi.vision.io.AtomicFiles;
import org.diredi.vision.report.Charts;
import org.diredi.vision.report.ProgressBar;

/**
 * The training loop shared by direct training, distillation and reverse distillation: batches from
 * a background {@link BatchLoader}, forward, the {@link Objective}'s loss, backward, an
 * {@link Optimizer} step on a warm-up + cosine schedule; a progress bar with loss, rate and ETA;
 * after every epoch an atomic {@code last.ckpt} (weights, optimizer state, manifest) so that
 * {@code resume} continues after a kill; at the end {@code model.ckpt}, {@code history.json},
 * {@code loss.png} and, with a validation split, {@code eval.md} / {@code eval.json}.
 */
public final class DetectorTrainer {

    /**
     * One epoch's record in {@code history.json}: mean loss terms, and the gradient's mean and largest global
     * norm before clipping with the share of steps clipped (null in histories written before clipping existed),
     * and the objective's mean diagnostics ({@link Objective#DIAGNOSTIC_PREFIX}, e.g. FGD's feature magnitude and
     * attention saturation per level; null when it has none).
     */
    public record EpochRecord(int epoch, long step, double lr, Map<String, Double> loss, double seconds,
                              double imagesPerSecond, Double valMap, Double gradNorm, Double gradNormMax,
                              Double clippedShare, Map<String, Double> diagnostics) {}

    /** What a finished run produced. */
    public record Result(Path model, Manifest manifest, List<EpochRecord> history, EvalResult eval) {}

    /** Where the run writes and what its checkpoints say about their origin (provenance null: unknown). */
    public record RunInfo(Path dir, String role, Manifest.DataInfo data, Manifest.Reference parent,
                          Manifest.Reference teacher, Provenance provenance) {

        public RunInfo(Path dir, String role, Manifest.DataInfo data, Manifest.Reference parent,
                       Manifest.Reference teacher) {
            this(dir, role, data, parent, teacher, null);
        }
    }

    /** Optimizer-state names of the objective's own parameters, apart from the student's. */
    static final String OBJECTIVE_PREFIX = "objective/";

    /** Non-finite losses or gradients tolerated in a row (each skips its batch) before a run stops. */
    static final int MAX_BAD_STEPS_IN_A_ROW = 3;

    private final FcosDetector model;
    private final TrainConfig config;
    private final Objective objective;
    private final NDManager manager;
    private final PrintStream log;
    private int stopAfter = Integer.MAX_VALUE;
    private Predicate<String> trains = n -> true;

    public DetectorTrainer(FcosDetector model, NDManager manager, TrainConfig config, Objective objective,
                           PrintStream log) {
        this.model = model;
        this.manager = manager;
        this.config = config;
        this.objective = objective;
        this.log = log;
    }

    /**
     * Ends this call after epoch {@code epoch} (a time-boxed session); {@code last.ckpt} then holds
     * the run and a later call with {@code resume} finishes it on the same schedule.
     */
    public DetectorTrainer stopAfter(int epoch) {
        this.stopAfter = epoch;
        return this;
    }

    /** Trains only the model parameters whose names pass {@code names}; the others keep their weights. */
    public DetectorTrainer trainOnly(Predicate<String> names) {
        this.trains = names;
        return this;
    }

    /**
     * Trains on {@code train}, evaluating on {@code val} when given.
     *
     * @param resume continue from {@code dir/last.ckpt} if it exists
     */
    public Result run(DetectionSet train, DetectionSet val, RunInfo run, boolean resume) throws IOException {
        Path dir = run.dir();
        Files.createDirectories(dir);
        Path last = dir.resolve("last.ckpt");
        if (Files.exists(last) && !resume) {
            throw new IllegalStateException(dir + " already holds a training run (last.ckpt): pass --resume to "
                    + "continue it, or choose another output directory");
        }
        AtomicFiles.cleanStale(dir); // what a kill -9 during a write left behind
        Session session = new Session(train, val, run, last);
        int startEpoch = resume && Files.exists(last) ? session.resume() : 0;
        long imagesTotal = (long) (config.epochs() - startEpoch) * train.size();
        try (ProgressBar bar = new ProgressBar(run.role() + " " + model.config().name(), imagesTotal, log, "img")) {
            for (int epoch = startEpoch; epoch < Math.min(config.epochs(), stopAfter); epoch++) {
                session.epoch(epoch, bar);
            }
        }
        if (stopAfter < config.epochs()) {
            return new Result(last, Checkpoint.read(last).manifest(), session.history, session.eval);
        }
        return session.finish();
    }

    /** One call of {@link #run}: optimizer, schedule and targets, the epochs so far and the latest evaluation. */
    private final class Session {
        private final DetectionSet train;
        private final DetectionSet val;
        private final RunInfo run;
        private final Path last;
        private final Block extra = objective.trainableBlock();
        private final Optimizer optimizer;
        private final FcosTargets targets;
        private final LrSchedule schedule;
        private final Augment augment = config.augment() ? new Augment(AugmentConfig.DEFAULT) : null;
        private final TrainStep trainStep;
        private final List<EpochRecord> history = new ArrayList<>();
        private EvalResult eval;
        private int badInARow; // a streak of bad steps may cross an epoch's end

        Session(DetectionSet train, DetectionSet val, RunInfo run, Path last) {
            this.train = train;
            this.val = val;
            this.run = run;
            this.last = last;
            this.optimizer = new Optimizer(config, trainable());
            ModelConfig mc = model.config();
            FcosGrid grid = new FcosGrid(mc.inputSize(), ModelConfig.STRIDES);
            this.targets = new FcosTargets(grid, new FcosTargets.Config(
                    FcosTargets.Config.forInput(mc.inputSize()).rangeBounds(), config.centerRadius()));
            int perEpoch = BatchLoader.batchesPerEpoch(train.size(), config.batchSize());
            this.schedule = new LrSchedule(config.lr(), config.warmupSteps(), perEpoch * config.epochs(),
                    config.minLrFactor());
            this.trainStep = new TrainStep(model, manager, objective, optimizer);
        }

        /** The model parameters being trained, then the objective's own under {@link #OBJECTIVE_PREFIX}. */
        private PairList<String, Parameter> trainable() {
            PairList<String, Parameter> trainable = model.parameters(trains);
            if (extra != null) {
                for (Pair<String, Parameter> p : extra.getParameters()) {
                    trainable.add(OBJECTIVE_PREFIX + p.getKey(), p.getValue());
                }
            }
            return trainable;
        }

        /** Restores weights, optimizer and objective state and the history from last.ckpt; returns its epoch. */
        int resume() throws IOException {
            Checkpoint ck = Checkpoint.read(last).requireCompatible(model.config(), model.classes());
            ModelWeights.restore(model, ck.weights(), true, last.toString());
            if (ck.optimizer() != null) {
                optimizer.load(ck.optimizer(), last.toString());
            }
            if (extra != null && ck.objective() != null) {
                ModelWeights.restore(extra, ck.objective(), true, last.toString());
            }
            int startEpoch = ck.manifest().progress().epoch();
            history.addAll(readHistory(run.dir(), startEpoch));
            log.printf("resuming %s at epoch %d/%d (step %d)%n", last, startEpoch, config.epochs(), optimizer.step());
            return startEpoch;
        }

        /** Trains epoch {@code epoch} (0-based), then evaluates when due and writes last.ckpt and history.json. */
        void epoch(int epoch, ProgressBar bar) throws IOException {
            long t0 = System.nanoTime();
            EpochStats stats = new EpochStats();
            try (BatchLoader loader = new BatchLoader(train, config.batchSize(), augment, config.seed(), epoch,
                    targets)) {
                while (loader.hasNext()) {
                    HostBatch hb = loader.next();
                    if (step(hb, epoch, stats)) {
                        bar.step(hb.size(), String.format("ep %d/%d loss %.3f", epoch + 1, config.epochs(),
                                stats.meanTotal()));
                    }
                }
            }
            endEpoch(epoch, stats, (System.nanoTime() - t0) / 1e9);
        }

        /** One batch; false when its loss or gradient was not finite and it was skipped. */
        private boolean step(HostBatch hb, int epoch, EpochStats stats) {
            float lr = schedule.at(optimizer.step());
            Map<String, Float> losses = null;
            float norm = Float.NaN;
            String bad;
            try {
                losses = trainStep.run(hb, lr, null);
                norm = losses.remove(TrainStep.GRAD_NORM);
                bad = Float.isFinite(norm) ? null : "gradient norm " + norm;
            } catch (TrainStep.NonFiniteLoss e) {
                bad = e.getMessage();
            }
            if (bad != null) {
                // A bad step changed no weight and is skipped; several in a row mean the model itself has gone bad.
                if (++badInARow >= MAX_BAD_STEPS_IN_A_ROW) {
                    throw new IllegalStateException(bad + " at epoch " + (epoch + 1) + ", step " + optimizer.step()
                            + " (lr " + lr + "), " + badInARow + " steps in a row: lower the learning rate; "
                            + lastGood(last));
                }
                log.printf("%nwarning: %s at epoch %d (step %d): batch skipped%n", bad, epoch + 1, optimizer.step());
                return false;
            }
            badInARow = 0;
            stats.add(losses, norm, optimizer.clips(norm));
            return true;
        }

        /** Evaluates when due, records the epoch and writes last.ckpt and history.json. */
        private void endEpoch(int epoch, EpochStats stats, double seconds) throws IOException {
            Map<String, Double> mean = stats.meanLosses();
            Map<String, Double> diagnostics = takeDiagnostics(mean);
            Double valMap = null;
            boolean lastEpoch = epoch + 1 == config.epochs();
            if (val != null && (lastEpoch || (config.evalEvery() > 0 && (epoch + 1) % config.evalEvery() == 0))) {
                eval = new Predictor(model, manager, FcosDecoder.Config.EVAL).evaluate(val, EvalConfig.DEFAULT);
                valMap = eval.map();
            }
            history.add(new EpochRecord(epoch + 1, optimizer.step(), schedule.at(optimizer.step()), mean, seconds,
                    train.size() / seconds, valMap, stats.meanNorm(), stats.normMax, stats.clippedShare(),
                    diagnostics.isEmpty() ? null : diagnostics));
            Map<String, Double> metrics = new LinkedHashMap<>(mean);
            if (valMap != null) {
                metrics.put("valMap", valMap);
            }
            Manifest m = manifest(run, metrics, epoch + 1, optimizer.step());
            Checkpoint.write(last, m, ModelWeights.snapshot(model), optimizer.state(),
                    extra == null ? null : ModelWeights.snapshot(extra));
            AtomicFiles.writeJson(run.dir().resolve("history.json"), history);
            if (valMap != null) {
                log.printf("%nepoch %d/%d: loss %.4f, val mAP@0.5 %.4f%n", epoch + 1, config.epochs(),
                        mean.get("total"), valMap);
            }
        }

        /** The finished run: model.ckpt, the loss chart and the last evaluation's reports. */
        Result finish() throws IOException {
            Path dir = run.dir();
            Manifest finalManifest = Checkpoint.write(dir.resolve("model.ckpt"),
                    manifest(run, lastMetrics(history), config.epochs(), optimizer.step()),
                    ModelWeights.snapshot(model), null);
            writeLossChart(dir, history);
            if (eval != null) {
                AtomicFiles.writeString(dir.resolve("eval.md"), eval.toMarkdown());
                AtomicFiles.writeString(dir.resolve("eval.json"), eval.toJson());
            }
            return new Result(dir.resolve("model.ckpt"), finalManifest, history, eval);
        }
    }

    /** Sums over one epoch's good steps: loss terms, gradient norms before clipping, clipped steps. */
    private static final class EpochStats {
        private final Map<String, double[]> sums = new TreeMap<>();
        private int steps;
        private double normSum;
        private double normMax;
        private int clippedSteps;

        void add(Map<String, Float> losses, float norm, boolean clipped) {
            normSum += norm;
            normMax = Math.max(normMax, norm);
            clippedSteps += clipped ? 1 : 0;
            for (Map.Entry<String, Float> e : losses.entrySet()) {
                sums.computeIfAbsent(e.getKey(), k -> new double[1])[0] += e.getValue();
            }
            steps++;
        }

        double meanTotal() {
            return sums.get("total")[0] / steps;
        }

        Map<String, Double> meanLosses() {
            Map<String, Double> mean = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : sums.entrySet()) {
                mean.put(e.getKey(), e.getValue()[0] / Math.max(1, steps));
            }
            return mean;
        }

        double meanNorm() {
            return normSum / Math.max(1, steps);
        }

        double clippedShare() {
            return clippedSteps / (double) Math.max(1, steps);
        }
    }

    /** Moves the diagnostics out of an epoch's mean terms, without their prefix. */
    private static Map<String, Double> takeDiagnostics(Map<String, Double> mean) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : List.copyOf(mean.keySet())) {
            if (k.startsWith(Objective.DIAGNOSTIC_PREFIX)) {
                out.put(k.substring(Objective.DIAGNOSTIC_PREFIX.length()), mean.remove(k));
            }
        }
        return out;
    }

    private static String lastGood(Path last) {
        return Files.exists(last) ? "the last good checkpoint is " + last : "no epoch has finished yet";
    }

    private Manifest manifest(RunInfo run, Map<String, Double> metrics, int epoch, long step) {
        return Manifest.builder(run.role(), model.config(), model.classes().names()).data(run.data())
                .training(config).parent(run.parent()).teacher(run.teacher())
                .progress(new Manifest.Progress(epoch, config.epochs(), step)).objective(objective.settings())
                .metrics(metrics).provenance(run.provenance()).build();
    }

    private static Map<String, Double> lastMetrics(List<EpochRecord> history) {
        if (history.isEmpty()) {
            return Map.of();
        }
        EpochRecord r = history.get(history.size() - 1);
        Map<String, Double> m = new LinkedHashMap<>(r.loss());
        if (r.valMap() != null) {
            m.put("valMap", r.valMap());
        }
        return m;
    }

    /** The epochs of {@code history.json} in {@code dir} (empty when absent). */
    public static List<EpochRecord> readHistory(Path dir) {
        return readHistory(dir, Integer.MAX_VALUE);
    }

    private static List<EpochRecord> readHistory(Path dir, int upTo) {
        Path f = dir.resolve("history.json");
        if (!Files.exists(f)) {
            return List.of();
        }
        try {
            List<EpochRecord> all = ConfigFiles.JSON.readValue(f.toFile(), new TypeReference<List<EpochRecord>>() {});
            return all.stream().filter(r -> r.epoch() <= upTo).toList();
        } catch (IOException e) {
            return List.of(); // history is a report, not state: a damaged one is rebuilt from here on
        }
    }

    private static void writeLossChart(Path dir, List<EpochRecord> history) throws IOException {
        if (history.isEmpty()) {
            return;
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String term : history.get(0).loss().keySet()) {
            double[] x = new double[history.size()];
            double[] y = new double[history.size()];
            for (int i = 0; i < history.size(); i++) {
                Double v = history.get(i).loss().get(term);
                x[i] = history.get(i).epoch();
                y[i] = v == null ? Double.NaN : v;
            }
            series.put(term, new double[][] {x, y});
        }
        Charts.lineChart("Training loss", "epoch", "loss", series, dir.resolve("loss.png"));
    }
}
