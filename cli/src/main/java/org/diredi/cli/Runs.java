package org.diredi.cli;


/** Small helpers shared by the commands that train. */
final class Runs {

    private Runs() {}

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
}
