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

    /**
     * The pretrained backbone file for {@code model} in {@code dir} ({@code <family>-<role>.backbone}, as
     * {@code diredi pretrain} names them), or null when {@code dir} is null or has none.
     */
    static java.nio.file.Path pretrainedBackbone(java.nio.file.Path dir, org.diredi.core.model.ModelConfig model) {
        if (dir == null) {
            return null;
        }
        java.nio.file.Path f = dir.resolve(model.name().replace('/', '-') + ".backbone");
        return java.nio.file.Files.exists(f) ? f : null;
    }
}
