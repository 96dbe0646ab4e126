package org.diredi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Dataset tools. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Make or inspect datasets.",
        subcommands = {DataCommand.Scenes.class})
final class DataCommand {

    @Command(name = "fashion-scenes", mixinStandardHelpOptions = true,
            description = {"Write the FashionScenes benchmark in Pascal VOC layout: real Fashion-MNIST crops (MIT)",
                "tinted, scaled and pasted on real CC0 photos or procedural textures. Deterministic by seed;",
                "train, val and test use disjoint crops and backgrounds. The bundled t10k crops are used",
                "unless --fashion-mnist-dir gives the full training files."})
    static final class Scenes implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Option(names = "--image-size", description = "square image side in pixels (default: ${DEFAULT-VALUE})")
        int imageSize = FashionScenesConfig.DEFAULT.imageSize();

        @Option(names = "--train", description = "training images (default: ${DEFAULT-VALUE})")
        int train = FashionScenesConfig.DEFAULT.trainImages();

        @Option(names = "--val", description = "validation images (default: ${DEFAULT-VALUE})")
        int val = FashionScenesConfig.DEFAULT.valImages();

        @Option(names = "--test", description = "test images (default: ${DEFAULT-VALUE})")
        int test = FashionScenesConfig.DEFAULT.testImages();

        @Option(names = "--objects", split = "-", paramLabel = "MIN-MAX",
                description = "objects per image (default: ${DEFAULT-VALUE})")
        int[] objects = {FashionScenesConfig.DEFAULT.minObjects(), FashionScenesConfig.DEFAULT.maxObjects()};

        @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
        long seed = FashionScenesConfig.DEFAULT.seed();

        @Option(names = "--fashion-mnist-dir", paramLabel = "DIR",
                description = "directory with train-images-idx3-ubyte.gz / train-labels-idx1-ubyte.gz "
                        + "(e.g. /usr/share/datasets/fashion-mnist) for more training crops")
        Path extra;

        @Override
        public Integer call() {
            if (objects.length != 2) {
                throw new IllegalArgumentException("--objects takes MIN-MAX, e.g. 1-4");
            }
            FashionScenesConfig c = FashionScenesConfig.DEFAULT.withImageSize(imageSize).withImages(train, val, test)
                    .withObjects(objects[0], objects[1]).withSeed(seed);
            if (extra != null) {
                c = c.withExtraTrainDir(extra);
            }
            FashionScenes.Summary s = FashionScenes.generate(c, out);
            System.out.print(s.format());
            return 0;
        }
    }
}
