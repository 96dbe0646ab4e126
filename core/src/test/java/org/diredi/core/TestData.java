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
    public static final ModelConfig SMALL = new ModelConfig("test/small", "mobilenetv2", null, 0, 0.5f, 0.5f, 32, 1, 8, 96);

    private TestData() {}

    /** Writes {@code train} training images of 96 px with 1-2 objects each; returns the train split. */
    public static VocDataset scenes(Path dir, int train) {
        FashionScenesConfig c = FashionScenesConfig.DEFAULT.withImageSize(96).withImages(train, 2, 2)
                .withObjects(1, 2).withObjectSize(28, 44).withSeed(3);
        FashionScenes.generate(c, dir);
        return VocDataset.load(dir, "train", ClassList.FASHION);
    }
}
