package org.diredi.cli;

import org.diredi.core.stage.Stages;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
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
            "detector loss (DiReDi Distill A: large -> tutor, Distill B: tutor -> edge), or by the method",
            "--distillation names (pkd, logits, a sum such as pkd+logits). Same outputs,",
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

    @Option(names = "--fgd", paramLabel = "FILE", description = "distillation settings (YAML or JSON: "
            + "distillation (fgd, pkd, logits, boxes, none or a sum such as logits+boxes), FGD's temperature, alpha, "
            + "beta, gamma, lambda, pkdScale, logitsTemperature, logitsWeight, boxesWeight, inherit) over "
            + "configs/fgd.yaml's values")
    Path fgdFile;

    @Option(names = "--distillation", paramLabel = "METHOD", description = "the method, over the --fgd file's: "
            + "fgd, pkd, logits, boxes, none or a sum such as logits+boxes")
    String distillation;

    @Option(names = "--inherit", description = "start the student's neck and head from the teacher's where "
            + "tensor shapes match (FGD's init_student), over the --fgd file's 'inherit'")
    boolean inherit;

    // 0.01 on top of configs/fgd.yaml: the least harmful weight measured for Distill B (BENCHMARKS.md section 5;
    // 1 was 33 points below direct training). Reverse distillation uses 1 (the experiments' rdBeta).
    @Option(names = "--feature-weight", description = "weight of the FGD loss (reverse distillation's beta: 1) "
            + "(default: ${DEFAULT-VALUE})")
    float featureWeight = 0.01f;

    @Option(names = "--gt-weight", description = "weight of the detector loss on ground truth (reverse distillation's "
            + "alpha, paper Eq. 8) (default: ${DEFAULT-VALUE})")
    float gtWeight = 1f;

    @Option(names = "--freeze-backbone", description = "train the student's neck and head only, as reverse "
            + "distillation does (the knowledge delta leaves the backbone out)")
    boolean freezeBackbone;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = training.config();
        FgdConfig fgd = fgdFile == null ? FgdConfig.DEFAULTS : ConfigFiles.load(fgdFile, FgdConfig.class, FgdConfig.DEFAULTS);
        try {
            fgd = distillation == null ? fgd : fgd.withDistillation(distillation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--distillation: " + e.getMessage());
        }
        fgd = inherit ? fgd.withInherit(true) : fgd;
        ClassList classes = data.classes();
        Checkpoint teacherCk = Checkpoint.read(teacherPath);
        if (!teacherCk.manifest().classes().equals(classes.names())) {
            throw new IllegalArgumentException(teacherPath + ": the teacher's classes [" + String.join(",",
                    teacherCk.manifest().classes()) + "] differ from the data's class list [" + classes + "]");
        }
        ModelConfig mc = Presets.get(studentPreset);
        if (init != null) {
            Stages.requireInit(Checkpoint.read(init), mc, classes); // before any data is read
        }
        VocDataset trainDs = data.load(training.split);
        System.out.printf("distilling %s -> %s on %s (%d images)%s with %s%n", teacherCk.manifest().model().name(),
                mc.name(), trainDs.root(), trainDs.size(), data.subset == null ? "" : " classes " + data.subset,
                config.summary());
        Stages.train(training.start(Stages.Stage.direct(mc.name().substring(mc.name().indexOf('/') + 1), mc, config,
                        trainDs).distilledFrom(teacherPath, fgd), init).weights(gtWeight, featureWeight)
                        .freezingBackbone(freezeBackbone),
                classes, training.out, training.validation(data), data.subset, training.resume);
        return 0;
    }
}
