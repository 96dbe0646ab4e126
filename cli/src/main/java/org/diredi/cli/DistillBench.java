package org.diredi.cli;

import org.diredi.core.stage.Stages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue-3 benchmark: Distill A (large -> tutor) and Distill B (tutor -> edge) with FGD against
 * direct training of the same student with the same data, epochs and schedule, on the presumed
 * classes.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"FGD distillation against direct training on FashionScenes' presumed classes: trains the large",
            "teacher, the tutor directly and by Distill A, the edge model directly and by Distill B (from the",
            "distilled tutor), and reports mAP@0.5, per-class AP and F1 side by side. Resumable stage by stage."})
final class DistillBench implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated if absent (default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--classes", split = ",", description = "the presumed classes (default: ${DEFAULT-VALUE})")
    List<String> presumed = List.of("tshirt", "trouser", "dress", "sandal", "bag");

    @Option(names = "--epochs", split = ",", paramLabel = "LARGE,TUTOR,EDGE",
            description = "epochs of the large, tutor and edge stages (default: ${DEFAULT-VALUE})")
    List<Integer> epochs = List.of(12, 12, 24);

    @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
    Path configFile;

    @Option(names = "--fgd", paramLabel = "FILE", description = "FGD settings (YAML or JSON)")
    Path fgdFile;

    @Option(names = "--feature-weight", description = "weight of the FGD loss in Distill A and B, as for "
            + "'diredi distill' (default: ${DEFAULT-VALUE})")
    float featureWeight = 0.01f;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-distill");

    @Override
    public Integer call() throws Exception {
        if (epochs.size() != 3) {
            throw new IllegalArgumentException("--epochs takes three numbers: LARGE,TUTOR,EDGE");
        }
        org.diredi.vision.scenes.FashionScenes.ensure(data);
        TrainConfig base = TrainConfig.load(configFile);
        FgdConfig fgd = fgdFile == null ? FgdConfig.DEFAULTS : ConfigFiles.load(fgdFile, FgdConfig.class, FgdConfig.DEFAULTS);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        classes.ids(presumed);
        VocDataset train = VocDataset.load(data, "train", classes).restrictTo(presumed);
        VocDataset test = VocDataset.load(data, "test", classes).restrictTo(presumed);
        BenchReport report = new BenchReport("FGD distillation vs direct training, presumed classes "
                + String.join(", ", presumed), classes);
        TrainConfig large = base.withEpochs(epochs.get(0));
        TrainConfig tutor = base.withEpochs(epochs.get(1));
        TrainConfig edge = base.withEpochs(epochs.get(2));
        Stages.Stage largeStage = Stages.Stage.direct("large", Presets.get("large"), large, train);
        Stages.Stage tutorDirect = Stages.Stage.direct("tutor", Presets.get("tutor"), tutor, train);
        Stages.Stage edgeDirect = Stages.Stage.direct("edge", Presets.get("edge"), edge, train);
        report.add(BenchReport.trainAndEvaluate(largeStage, classes, test, out.resolve("large")));
        report.add(BenchReport.trainAndEvaluate(tutorDirect, classes, test, out.resolve("tutor-direct")));
        report.add(BenchReport.trainAndEvaluate(tutorDirect.distilledFrom(out.resolve("large/model.ckpt"), fgd)
                .weights(1f, featureWeight), classes, test,
                out.resolve("tutor-distill-A")));
        report.add(BenchReport.trainAndEvaluate(edgeDirect, classes, test, out.resolve("edge-direct")));
        report.add(BenchReport.trainAndEvaluate(edgeDirect.distilledFrom(out.resolve("tutor-distill-A/model.ckpt"), fgd)
                .weights(1f, featureWeight), classes, test, out.resolve("edge-distill-B")));
        String md = report.write(out, "Settings: " + base.summary() + "; epochs large/tutor/edge " + epochs
                + "; FGD " + fgd + " (FGD loss weight " + featureWeight + " against the detector loss); data " + data + " (train "
                + train.size() + " images, test " + test.size() + ", objects of other classes unlabelled).");
        System.out.println(md);
        return 0;
    }
}
