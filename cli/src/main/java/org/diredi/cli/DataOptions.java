package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.Datasets;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Option;

/** Options shared by every command that reads a dataset (Pascal VOC, COCO or YOLO, see {@link Datasets}). */
final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = {"the dataset: a Pascal VOC folder (Annotations/, JPEGImages/, ImageSets/Main/), a COCO folder",
                "(annotations/instances_SPLIT.json) or .json file, a YOLO folder or data.yaml"})
    Path root;

    @Option(names = "--class-list", paramLabel = "FILE|fashion|shapes|voc",
            description = "the global label space, one class per line (default: the dataset's own: VOC's DIR/classes.txt, "
                    + "COCO's categories, YOLO's names)")
    String classList;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "train/evaluate on these classes only (e.g. the presumed classes); the label space is unchanged")
    List<String> subset;

    ClassList classes() {
        checkPath(root, "--data");
        return classList == null ? Datasets.classes(root) : named(classList);
    }

    /** A class list by name ({@code fashion}, {@code shapes}, {@code voc}) or file. */
    static ClassList named(String nameOrFile) {
        return switch (nameOrFile) {
            case "fashion" -> ClassList.FASHION;
            case "shapes" -> ClassList.SHAPES;
            case "voc" -> ClassList.VOC;
            default -> ClassList.read(Path.of(nameOrFile));
        };
    }

    /** Refuses a missing dataset, or a file that cannot be one, before anything else is read. */
    static void checkPath(Path path, String option) {
        if (!Files.exists(path)) {
            throw new DataException(path, "dataset not found (a Pascal VOC, COCO or YOLO folder, a COCO .json or a "
                    + "YOLO data.yaml)");
        }
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(path) && !n.endsWith(".json") && !n.endsWith(".yaml") && !n.endsWith(".yml")) {
            throw new IllegalArgumentException(option + " " + path + ": is a file; a folder is expected here (or a "
                    + "COCO .json, a YOLO data.yaml)");
        }
    }

    VocDataset load(String split) {
        ClassList cl = classes();
        VocDataset ds = Datasets.load(root, split, cl);
        if (subset != null && !subset.isEmpty()) {
            cl.ids(subset); // validates names, listing the known ones
            ds = ds.restrictTo(subset);
        }
        return ds;
    }
}
