package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.distill.DistillationObjective;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.DetectionObjective;
import org.diredi.core.train.DetectionSet;
import org.diredi.core.train.DetectorTrainer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** FGD knowledge distillation: Distill A (large -> tutor), Distill B (tutor -> edge). */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"Train a student by FGD feature distillation from a frozen teacher checkpoint plus its own",
            "detector loss (DiReDi Distill A: large -> tutor, Distill B: tutor -> edge). Same outputs,",
            "checkpoints and --resume as 'train'; the manifest names the teacher.",
            "Reverse distillation (paper Eq. 8) is the same with the edge model as --teacher, the tutor as",
            "student (--student-preset tutor --init TUTOR.ckpt), a small --gt-weight (alpha) and --feature-weight (beta)."})
final class DistillCommand implements Callable<Integer> {

    @Option(names = "--teacher", required = true, paramLabel = "CKPT", description = "teacher checkpoint (frozen)")
    Path teacherPath;

    @Option(names = "--student-preset", required = true, paramLabel = "NAME",
            description = "student preset: tutor or edge (cpu family), or paper/... cpu/...")
    String studentPreset;

    @Mixin
    DataOptions data;

    @Mixin
    TrainingOptions training;

    @Option(names = "--init", paramLabel = "CKPT", description = "start the student from these weights")
    Path init;

    @Option(names = "--fgd", paramLabel = "FILE", description = "FGD settings (YAML or JSON: temperature, alpha, beta, "
            + "gamma, lambda) over the FGD authors' FCOS values")
    Path fgdFile;

    @Option(names = "--feature-weight", description = "weight of the FGD loss (reverse distillation's beta) "
            + "(default: ${DEFAULT-VALUE})")
    float featureWeight = 1f;

    @Option(names = "--gt-weight", description = "weight of the detector loss on ground truth (reverse distillation's "
            + "alpha, paper Eq. 8) (default: ${DEFAULT-VALUE})")
    float gtWeight = 1f;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = training.config();
        FgdConfig fgd = fgdFile == null ? FgdConfig.DEFAULTS : ConfigFiles.load(fgdFile, FgdConfig.class, FgdConfig.DEFAULTS);
        ClassList classes = data.classes();
        Checkpoint teacherCk = Checkpoint.read(teacherPath);
        if (!teacherCk.manifest().classes().equals(classes.names())) {
            throw new IllegalArgumentException(teacherPath + ": the teacher's classes [" + String.join(",",
                    teacherCk.manifest().classes()) + "] differ from the data's class list [" + classes + "]");
        }
        ModelConfig mc = Presets.get(studentPreset);
        Checkpoint initCk = init == null ? null : Checkpoint.read(init).requireCompatible(mc, classes);
        VocDataset trainDs = data.load(training.split);
        VocDataset valDs = training.validation(data);
        System.out.printf("distilling %s -> %s on %s (%d images)%s with %s%n", teacherCk.manifest().model().name(),
                mc.name(), trainDs.root(), trainDs.size(), data.subset == null ? "" : " classes " + data.subset,
                config.summary());
        Runs.seed(config.seed());
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(config.device()))) {
            FcosDetector teacher = teacherCk.toModel(manager);
            FcosDetector student = new FcosDetector(mc, classes).init(manager);
            if (initCk != null) {
                org.diredi.core.checkpoint.ModelWeights.restore(student, initCk.weights(), true, init.toString());
            }
            DistillationObjective objective = new DistillationObjective(teacher, student, manager, fgd,
                    new DetectionObjective(new FcosLoss.Config(config.focalAlpha(), config.focalGamma(), 1, 1, 1), gtWeight),
                    featureWeight);
            DetectionSet train = DetectionSet.load(trainDs, mc.inputSize());
            DetectionSet val = valDs == null ? null : DetectionSet.load(valDs, mc.inputSize());
            DetectorTrainer.Result r = new DetectorTrainer(student, manager, config, objective, System.out).run(train, val,
                    new DetectorTrainer.RunInfo(training.out, mc.name().substring(mc.name().indexOf('/') + 1),
                            Runs.dataInfo(trainDs, data.subset),
                            initCk == null ? null : new Manifest.Reference(initCk.manifest().id(), init.toString(), "init"),
                            new Manifest.Reference(teacherCk.manifest().id(), teacherPath.toString(), "teacher")),
                    training.resume);
            System.out.printf("wrote %s (id %s, teacher %s)%n", r.model(), r.manifest().id(), teacherCk.manifest().id());
            if (r.eval() != null) {
                System.out.println(r.eval().toMarkdown());
            }
        }
        return 0;
    }
}
