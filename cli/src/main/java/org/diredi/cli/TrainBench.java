package org.diredi.cli;

import org.diredi.core.stage.Stages;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue-2 benchmark: trains the cpu presets directly on FashionScenes (all 10 classes) with one
 * budget each and reports size, speed and accuracy side by side.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the cpu presets (large, tutor, edge) directly on FashionScenes and report parameters,",
            "FLOPs per image, training images/s, wall time, test mAP@0.5, per-class AP and P / R / F1.",
            "Resumable: rerun with the same --out to continue after a kill."})
final class TrainBench implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "FashionScenes root; generated with defaults if absent "
            + "(default: ${DEFAULT-VALUE})")
    Path data = Path.of("work/fashion-scenes");

    @Option(names = "--presets", split = ",", description = "presets to train (default: ${DEFAULT-VALUE})")
    List<String> presets = List.of("edge", "tutor", "large");

    @Option(names = "--epochs", split = ",", description = "epochs per preset, in --presets order (default: the config's)")
    List<Integer> epochs;

    @Option(names = "--config", paramLabel = "FILE", description = "training settings (YAML or JSON) over the defaults")
    Path configFile;

    @Option(names = "--backbones", paramLabel = "DIR", description = "start each backbone from DIR/<family>-<role>"
            + ".backbone ('diredi pretrain') where there is one (default: random backbones)")
    Path backbones;

    @Option(names = "--out", description = "results folder (default: ${DEFAULT-VALUE})")
    Path out = Path.of("work/bench-train");

    @Override
    public Integer call() throws Exception {
        org.diredi.vision.scenes.FashionScenes.ensure(data);
        TrainConfig base = TrainConfig.load(configFile);
        ClassList classes = ClassList.read(data.resolve("classes.txt"));
        VocDataset trainDs = VocDataset.load(data, "train", classes);
        VocDataset testDs = VocDataset.load(data, "test", classes);
        BenchReport report = new BenchReport("Direct training of the cpu presets on FashionScenes (10 classes)",
                classes);
        for (int i = 0; i < presets.size(); i++) {
            ModelConfig mc = Presets.get(presets.get(i));
            TrainConfig cfg = epochs != null && i < epochs.size() ? base.withEpochs(epochs.get(i)) : base;
            report.add(BenchReport.trainAndEvaluate(Stages.Stage.direct(mc.name().substring(mc.name().indexOf('/') + 1),
                    mc, cfg, trainDs).withBackbone(org.diredi.core.pretrain.BackboneFile.pretrainedFor(backbones, mc)), classes, testDs,
                    out.resolve(mc.name().replace('/', '-'))));
        }
        String md = report.write(out, "Settings: " + base.summary().replaceFirst("^\\d+ epochs, ", "")
                + "; epochs per preset " + (epochs == null ? base.epochs() : epochs) + "; data "
                + data + " (train " + trainDs.size() + " images, test " + testDs.size() + ")"
                + (backbones == null ? "; random backbones." : "; backbones from " + backbones + " where present."));
        System.out.println(md);
        return 0;
    }
}
