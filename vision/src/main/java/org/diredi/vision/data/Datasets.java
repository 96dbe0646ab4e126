package org.diredi.vision.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one way the project opens a dataset: Pascal VOC, COCO or YOLO, told apart by what the folder
 * or file holds, each read into a {@link VocDataset} (class ids of the deployment's
 * {@link ClassList}, difficult / crowd objects flagged, boxes in pixels of the image as it is, of any
 * size and aspect).
 *
 * <p>A folder with {@code data.yaml} is YOLO; one with {@code Annotations/*.xml},
 * {@code JPEGImages/} or {@code ImageSets/} is VOC; one with COCO JSON files
 * ({@code annotations/*.json}) is COCO. A {@code .json} file is one COCO split, a {@code .yaml} file a
 * YOLO data.yaml. Datasets without splits (a VOC folder without {@code ImageSets/Main/}, a COCO
 * {@code .json} file) answer to the split name {@value VocDataset#ALL}.
 */
public final class Datasets {

    private Datasets() {}

    /** The format of the dataset at {@code path}. */
    public static DatasetFormat detect(Path path) {
        if (Files.isRegularFile(path)) {
            String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".json")) {
                return DatasetFormat.COCO;
            }
            if (n.endsWith(".yaml") || n.endsWith(".yml")) {
                return DatasetFormat.YOLO;
            }
            throw new DataException(path, "not a dataset: a dataset folder (Pascal VOC, COCO or YOLO), a COCO .json"
                    + " or a YOLO data.yaml is expected");
        }
        if (!Files.isDirectory(path)) {
            throw new DataException(path, "dataset not found");
        }
        if (YoloReader.yamlFile(path) != null) {
            return DatasetFormat.YOLO;
        }
        if (hasXml(path.resolve("Annotations")) || Files.isDirectory(path.resolve("JPEGImages"))
                || Files.isDirectory(path.resolve("ImageSets"))) {
            return DatasetFormat.VOC;
        }
        if (!CocoReader.splitFiles(path).isEmpty()) {
            return DatasetFormat.COCO;
        }
        throw new DataException(path, "no dataset here: expected Pascal VOC (Annotations/*.xml), COCO"
                + " (annotations/*.json) or YOLO (data.yaml)");
    }

    /**
     * Loads and validates {@code split} of the dataset at {@code path}; its class names must all be in
     * {@code classes} (matched by {@link ClassList#lookup}), whose order fixes the class ids.
     *
     * @throws DataException naming the offending file (and line or entry) and the problem
     */
    public static VocDataset load(Path path, String split, ClassList classes) {
        return switch (detect(path)) {
            case VOC -> VocDataset.load(path, split, classes);
            case COCO -> CocoReader.load(path, split, classes);
            case YOLO -> YoloReader.load(path, split, classes);
        };
    }

    /**
     * The label space the dataset declares: VOC's {@code classes.txt}, COCO's categories in id order,
     * YOLO's {@code names}.
     */
    public static ClassList classes(Path path) {
        return switch (detect(path)) {
            case VOC -> vocClasses(path);
            case COCO -> CocoReader.classes(path);
            case YOLO -> YoloReader.classes(path);
        };
    }

    /** The dataset's split names (for VOC the split files, or {@value VocDataset#ALL} when it has none). */
    public static List<String> splits(Path path) {
        return switch (detect(path)) {
            case VOC -> VocDataset.splits(path);
            case COCO -> CocoReader.splits(path);
            case YOLO -> List.copyOf(YoloReader.spec(path).splits().keySet());
        };
    }

    /** Whether {@link #load} can find {@code split} (every VOC folder has {@value VocDataset#ALL}). */
    public static boolean hasSplit(Path path, String split) {
        return splits(path).contains(split) || detect(path) == DatasetFormat.VOC && VocDataset.ALL.equals(split);
    }

    private static ClassList vocClasses(Path root) {
        Path f = root.resolve("classes.txt");
        if (!Files.exists(f)) {
            throw new DataException(f, "no class list: add classes.txt (one class per line) or pass --class-list");
        }
        return ClassList.read(f);
    }

    private static boolean hasXml(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml"));
        } catch (IOException e) {
            throw new DataException(dir, "cannot list: " + e.getMessage(), e);
        }
    }
}
