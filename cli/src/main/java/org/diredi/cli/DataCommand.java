package org.diredi.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.diredi.vision.data.DatasetConverter;
import org.diredi.vision.data.DatasetFormat;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.diredi.vision.scenes.SceneDomain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Dataset tools. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Make or convert datasets.",
        subcommands = {DataCommand.Scenes.class, DataCommand.Convert.class})
final class DataCommand {

    @Command(name = "fashion-scenes", aliases = "scenes", mixinStandardHelpOptions = true,
            description = {"Write the FashionScenes benchmark in Pascal VOC layout: real Fashion-MNIST crops (MIT)",
                "tinted, scaled and pasted on real CC0 photos or procedural textures. Deterministic by seed;",
                "train, val and test use disjoint crops and backgrounds. The bundled t10k crops are used",
                "unless --fashion-mnist-dir gives the full training files. --domain shapes writes ShapeScenes",
                "instead: ten procedurally drawn shapes on tiles, cells, blobs and stroke clutter."})
    static final class Scenes implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Option(names = "--domain", paramLabel = "NAME", description = "fashion or shapes (default: ${DEFAULT-VALUE})")
        String domain = SceneDomain.FASHION.id();

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
            SceneDomain d = SceneDomain.parse(domain);
            if (extra != null) {
                if (d != SceneDomain.FASHION) {
                    throw new IllegalArgumentException("--fashion-mnist-dir applies to --domain fashion only");
                }
                c = c.withExtraTrainDir(extra);
            }
            FashionScenes.Summary s = FashionScenes.generate(d, c, out);
            System.out.print(s.format());
            return 0;
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = {"Convert a dataset between Pascal VOC, COCO and YOLO, every split (or the --split ones).",
                "Everything is read and checked first; the new dataset is built beside --out and renamed into place,",
                "and a non-empty --out is refused. Images are copied as they are. VOC's whole-pixel boxes come back",
                "the same through COCO and YOLO; YOLO has no difficult / crowd flag, so such objects become ordinary."})
    static final class Convert implements Callable<Integer> {
        @Option(names = "--from", paramLabel = "FORMAT", description = "voc, coco or yolo: what --in must hold "
                + "(default: what it holds)")
        String from;

        @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "voc, coco or yolo")
        String to;

        @Option(names = "--in", required = true, paramLabel = "PATH",
                description = "the dataset: a VOC folder, a COCO folder or .json file, a YOLO folder or data.yaml")
        Path in;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the new dataset's folder "
                + "(absent or empty)")
        Path out;

        @Option(names = "--class-list", paramLabel = "FILE|fashion|shapes|voc", description = "the label space (default: the "
                + "dataset's own); names such as 'potted plant' or 'tv/monitor' map to it")
        String classList;

        @Option(names = "--split", split = ",", paramLabel = "NAME", description = "convert only these splits")
        List<String> splits;

        @Override
        public Integer call() {
            DatasetConverter.Request r = DatasetConverter.Request.of(in, DatasetFormat.parse(to), out)
                    .withFrom(from == null ? null : DatasetFormat.parse(from)).withSplits(splits);
            DataOptions.checkPath(in, "--in");
            if (classList != null) {
                r = r.withClasses(DataOptions.named(classList));
            }
            System.out.print(DatasetConverter.convert(r).format());
            return 0;
        }
    }
}
