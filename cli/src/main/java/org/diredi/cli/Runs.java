package org.diredi.cli;

import ai.djl.engine.Engine;
import java.util.List;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.vision.data.VocDataset;

/** Small helpers shared by the commands that train. */
final class Runs {

    private Runs() {}

    /** Seeds libtorch so initial weights are reproducible. */
    static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
    }

    /** Generates the default FashionScenes into {@code data} unless it is there already. */
    static void ensureFashionScenes(java.nio.file.Path data) {
        if (!java.nio.file.Files.exists(data.resolve("classes.txt"))) {
            System.out.println("generating FashionScenes in " + data);
            System.out.print(org.diredi.vision.scenes.FashionScenes.generate(
                    org.diredi.vision.scenes.FashionScenesConfig.DEFAULT, data).format());
        }
    }

    /** Training settings from {@code file} (YAML or JSON) over the defaults, or the defaults. */
    static org.diredi.core.train.TrainConfig trainConfig(java.nio.file.Path file) {
        return file == null ? org.diredi.core.train.TrainConfig.DEFAULTS
                : org.diredi.vision.config.ConfigFiles.load(file, org.diredi.core.train.TrainConfig.class,
                        org.diredi.core.train.TrainConfig.DEFAULTS);
    }

    static Manifest.DataInfo dataInfo(VocDataset ds, List<String> subset) {
        return new Manifest.DataInfo(ds.root().toAbsolutePath().toString(), ds.split(), subset, ds.size(),
                ds.objectCount());
    }
}
