package org.diredi.bench.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.diredi.bench.report.ModelComparison;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;

/**
 * {@code bench distill}: Distill A (large -> tutor) and Distill B (tutor -> edge) with FGD against
 * direct training of the same student with the same data, epochs and schedule, on the presumed
 * classes. Resumable stage by stage.
 */
public final class DistillBenchmark {

    /**
     * @param data          FashionScenes root (generated with defaults if absent)
     * @param presumed      the presumed classes
     * @param epochs        epochs of the large, tutor and edge stages
     * @param configFile    training settings over the defaults; null: the defaults
     * @param fgdFile       FGD settings; null: the defaults
     * @param featureWeight weight of the FGD loss against the detector loss in Distill A and B
     * @param out           results folder
     * @param device        cpu, gpu or gpu:N over the config's; null: the config's
     */
    public record Settings(Path data, List<String> presumed, List<Integer> epochs, Path configFile, Path fgdFile,
                           float featureWeight, Path out, String device) {

        /** The same settings writing into {@code dir}. */
        public Settings withOut(Path dir) {
            return new Settings(data, presumed, epochs, configFile, fgdFile, featureWeight, dir, device);
        }
    }

    private DistillBenchmark() {}

    /** Trains the five stages, evaluates them and writes the report; prints and returns its Markdown. */
    public static String run(Settings s) throws IOException {
        return run(s, null);
    }

    /** {@link #run(Settings)} with training seed {@code seed} over the config's (null: the config's). */
    public static String run(Settings s, Long seed) throws IOException {
        if (s.epochs().size() != 3) {
            throw new IllegalArgumentException("--epochs takes three numbers: LARGE,TUTOR,EDGE");
        }
        FashionScenes.ensure(s.data());
        TrainConfig base = TrainConfig.load(s.configFile());
        base = s.device() == null ? base : base.withDevice(s.device());
        base = seed == null ? base : base.withSeed(seed);
        FgdConfig fgd = s.fgdFile() == null ? FgdConfig.DEFAULTS
                : ConfigFiles.load(s.fgdFile(), FgdConfig.class, FgdConfig.DEFAULTS);
        ClassList classes = ClassList.read(s.data().resolve("classes.txt"));
        classes.ids(s.presumed());
        VocDataset train = VocDataset.load(s.data(), "train", classes).restrictTo(s.presumed());
        VocDataset test = VocDataset.load(s.data(), "test", classes).restrictTo(s.presumed());
        ModelComparison report = new ModelComparison("FGD distillation vs direct training, presumed classes "
                + String.join(", ", s.presumed()), classes);
        Stages.Stage largeStage = Stages.Stage.direct("large", Presets.get("large"), base.withEpochs(s.epochs().get(0)),
                train);
        Stages.Stage tutorDirect = Stages.Stage.direct("tutor", Presets.get("tutor"), base.withEpochs(s.epochs().get(1)),
                train);
        Stages.Stage edgeDirect = Stages.Stage.direct("edge", Presets.get("edge"), base.withEpochs(s.epochs().get(2)),
                train);
        Path out = s.out();
        report.add(ModelComparison.trainAndEvaluate(largeStage, classes, test, out.resolve("large")));
        report.add(ModelComparison.trainAndEvaluate(tutorDirect, classes, test, out.resolve("tutor-direct")));
        report.add(ModelComparison.trainAndEvaluate(tutorDirect.distilledFrom(out.resolve("large/model.ckpt"), fgd)
                .weights(1f, s.featureWeight()), classes, test, out.resolve("tutor-distill-A")));
        report.add(ModelComparison.trainAndEvaluate(edgeDirect, classes, test, out.resolve("edge-direct")));
        report.add(ModelComparison.trainAndEvaluate(edgeDirect.distilledFrom(out.resolve("tutor-distill-A/model.ckpt"),
                fgd).weights(1f, s.featureWeight()), classes, test, out.resolve("edge-distill-B")));
        String md = report.write(out, "Settings: " + base.summary() + "; epochs large/tutor/edge " + s.epochs()
                + "; FGD " + fgd + " (FGD loss weight " + s.featureWeight() + " against the detector loss); data "
                + s.data() + " (train " + train.size() + " images, test " + test.size()
                + ", objects of other classes unlabelled).");
        System.out.println(md);
        return md;
    }
}
