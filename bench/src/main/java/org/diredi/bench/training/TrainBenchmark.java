package org.diredi.bench.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.diredi.bench.report.ModelComparison;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.pretrain.BackboneFile;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;

/**
 * {@code bench train}: the presets trained directly on FashionScenes (all 10 classes) with one
 * budget each, size, speed and accuracy side by side. Resumable: each preset is a cached stage.
 */
public final class TrainBenchmark {

    /**
     * @param data       FashionScenes root (generated with defaults if absent)
     * @param presets    presets to train
     * @param epochs     epochs per preset, in {@code presets} order; null: the config's
     * @param configFile training settings over the defaults; null: the defaults
     * @param backbones  folder of pretrained backbones ({@code <family>-<role>.backbone}); null: random
     * @param out        results folder
     * @param device     cpu, gpu or gpu:N over the config's; null: the config's
     */
    public record Settings(Path data, List<String> presets, List<Integer> epochs, Path configFile, Path backbones,
                           Path out, String device) {}

    private TrainBenchmark() {}

    /** Trains, evaluates and writes the report; prints and returns its Markdown. */
    public static String run(Settings s) throws IOException {
        FashionScenes.ensure(s.data());
        TrainConfig base = TrainConfig.load(s.configFile());
        base = s.device() == null ? base : base.withDevice(s.device());
        ClassList classes = ClassList.read(s.data().resolve("classes.txt"));
        VocDataset trainDs = VocDataset.load(s.data(), "train", classes);
        VocDataset testDs = VocDataset.load(s.data(), "test", classes);
        ModelComparison report = new ModelComparison("Direct training of the cpu presets on FashionScenes (10 classes)",
                classes);
        for (int i = 0; i < s.presets().size(); i++) {
            ModelConfig mc = Presets.get(s.presets().get(i));
            TrainConfig cfg = s.epochs() != null && i < s.epochs().size() ? base.withEpochs(s.epochs().get(i)) : base;
            Stages.Stage stage = Stages.Stage.direct(mc.name().substring(mc.name().indexOf('/') + 1), mc, cfg, trainDs)
                    .withBackbone(BackboneFile.pretrainedFor(s.backbones(), mc));
            report.add(ModelComparison.trainAndEvaluate(stage, classes, testDs, s.out().resolve(mc.name().replace('/', '-'))));
        }
        String md = report.write(s.out(), "Settings: " + base.summary().replaceFirst("^\\d+ epochs, ", "")
                + "; epochs per preset " + (s.epochs() == null ? base.epochs() : s.epochs()) + "; data "
                + s.data() + " (train " + trainDs.size() + " images, test " + testDs.size() + ")"
                + (s.backbones() == null ? "; random backbones." : "; backbones from " + s.backbones() + " where present."));
        System.out.println(md);
        return md;
    }
}
