package org.diredi.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.DataException;
import org.diredi.vision.data.VocDataset;
import picocli.CommandLine.Option;

/** Options shared by every command that reads a VOC-layout dataset. */
final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "dataset root in Pascal VOC layout (Annotations/, JPEGImages/, ImageSets/Main/)")
    Path root;

    @Option(names = "--class-list", paramLabel = "FILE|fashion|voc",
            description = "the global label space, one class per line (default: DIR/classes.txt)")
    String classList;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "train/evaluate on these classes only (e.g. the presumed classes); the label space is unchanged")
    List<String> subset;

    ClassList classes() {
        if (!Files.isDirectory(root)) {
            throw new DataException(root, "dataset folder not found (Pascal VOC layout expected)");
        }
        if (classList == null) {
            Path f = root.resolve("classes.txt");
            if (!Files.exists(f)) {
                throw new DataException(f, "no class list: add classes.txt (one class per line) or pass --class-list");
            }
            return ClassList.read(f);
        }
        return switch (classList) {
            case "fashion" -> ClassList.FASHION;
            case "voc" -> VOC;
            default -> ClassList.read(Path.of(classList));
        };
    }

    VocDataset load(String split) {
        ClassList cl = classes();
        VocDataset ds = VocDataset.load(root, split, cl);
        if (subset != null && !subset.isEmpty()) {
            cl.ids(subset); // validates names, listing the known ones
            ds = ds.restrictTo(subset);
        }
        return ds;
    }

    /** The 20 Pascal VOC classes. */
    static final ClassList VOC = new ClassList(List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
            "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
            "sheep", "sofa", "train", "tvmonitor"));
}
