package org.diredi.core;

import java.nio.file.Path;
import org.diredi.core.model.ModelConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;

/** Small FashionScenes sets and small models for tests that train. */
public final class TestData {

    /** A MobileNetV2 FCOS small enough to train in seconds at 96 px. */
    public static final ModelConfig SMALL = ModelConfig.fcos("test/small").mobileNetV2(0.5f).depth(0.5f)
            .fpn(32).headConvs(1).groupNorm(8).input(96);

    private TestData() {}

    /** Writes {@code train} training images of 96 px with 1-2 objects each; returns the train split. */
    public static VocDataset scenes(Path dir, int train) {
        FashionScenesConfig c = FashionScenesConfig.DEFAULT.withImageSize(96).withImages(train, 2, 2)
                .withObjects(1, 2).withObjectSize(28, 44).withSeed(3);
        FashionScenes.generate(c, dir);
        return VocDataset.load(dir, "train", ClassList.FASHION);
    }

    /**
     * A tiny tutor and edge model (one epoch each on {@code data}), cached in {@code dir}: enough for
     * pipeline tests of reverse distillation, deltas and the cloud, not for accuracy.
     */
    public static java.util.Map<String, Path> tinyTutorAndEdge(Path dir, VocDataset data) throws java.io.IOException {
        org.diredi.core.train.TrainConfig one = org.diredi.core.train.TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(4);
        Path tutor = org.diredi.core.stage.Stages.run(org.diredi.core.stage.Stages.Stage.direct("tutor",
                org.diredi.core.model.Presets.get("tiny/tutor"), one, data), ClassList.FASHION, dir.resolve("tutor"))
                .checkpoint();
        Path edge = org.diredi.core.stage.Stages.run(org.diredi.core.stage.Stages.Stage.direct("edge",
                org.diredi.core.model.Presets.get("tiny/edge"), one, data), ClassList.FASHION, dir.resolve("edge"))
                .checkpoint();
        return java.util.Map.of("tutor", tutor, "edge", edge);
    }
}
