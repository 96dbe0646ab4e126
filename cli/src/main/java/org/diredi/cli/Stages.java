package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.distill.DistillationObjective;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.Objective;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;

/**
 * One training stage of a benchmark or experiment, cached in its own folder: a finished stage
 * (model.ckpt) is only re-evaluated, an interrupted one resumes from last.ckpt.
 */
final class Stages {

    private Stages() {}

    /**
     * Trains {@code mc} (directly, or distilled from {@code teacher} when given) and evaluates it on
     * {@code test}, restricted to the classes of the test set's objects.
     */
    static BenchReport.Row train(ModelConfig mc, ClassList classes, TrainConfig cfg, VocDataset trainDs,
                                 VocDataset testDs, Path teacher, Path dir, FgdConfig fgd) throws IOException {
        Runs.seed(cfg.seed());
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(cfg.device()))) {
            String role = mc.name().substring(mc.name().indexOf('/') + 1);
            FcosDetector model = new FcosDetector(mc, classes).init(manager);
            long flops = model.flopsPerImage(manager);
            DetectorTrainer.Result r;
            Path done = dir.resolve("model.ckpt");
            if (Files.exists(done)) {
                Checkpoint ck = Checkpoint.read(done).requireCompatible(mc, classes);
                org.diredi.core.checkpoint.ModelWeights.restore(model, ck.weights(), true, done.toString());
                r = new DetectorTrainer.Result(done, ck.manifest(), DetectorTrainer.readHistory(dir), null);
                System.out.println("stage " + dir + " is done (" + ck.manifest().id() + "): evaluating only");
            } else {
                DetectionObjective det = new DetectionObjective(new FcosLoss.Config(cfg.focalAlpha(), cfg.focalGamma(),
                        1, 1, 1));
                Objective objective = det;
                Manifest.Reference teacherRef = null;
                if (teacher != null) {
                    Checkpoint tck = Checkpoint.read(teacher).requireCompatible(null, classes);
                    objective = new DistillationObjective(tck.toModel(manager), model, manager, fgd, det, 1f);
                    teacherRef = new Manifest.Reference(tck.manifest().id(), teacher.toString(), "teacher");
                }
                r = new DetectorTrainer(model, manager, cfg, objective, System.out).run(
                        DetectionSet.load(trainDs, mc.inputSize()), null,
                        new DetectorTrainer.RunInfo(dir, role, Runs.dataInfo(trainDs, null), null, teacherRef),
                        Files.exists(dir.resolve("last.ckpt")));
            }
            EvalResult ev = new Predictor(model, manager, FcosDecoder.Config.EVAL)
                    .evaluate(DetectionSet.load(testDs, mc.inputSize()), EvalConfig.DEFAULT);
            org.diredi.vision.io.AtomicFiles.writeString(dir.resolve("test-eval.md"), ev.toMarkdown());
            double seconds = r.history().stream().mapToDouble(DetectorTrainer.EpochRecord::seconds).sum();
            return new BenchReport.Row(dir.getFileName().toString(), mc.toString(), model.parameterCount(), flops / 1e9,
                    cfg.epochs(), (double) cfg.epochs() * trainDs.size() / seconds, seconds, ev);
        }
    }
}
