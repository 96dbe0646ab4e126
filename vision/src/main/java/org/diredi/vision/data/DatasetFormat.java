package org.diredi.vision.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The dataset layouts the project reads and writes ({@link Datasets}, {@link DatasetConverter}). */
public enum DatasetFormat {

    /** Pascal VOC: {@code Annotations/*.xml}, {@code JPEGImages/}, {@code ImageSets/Main/SPLIT.txt}. */
    VOC,
    /** COCO instances: one JSON per split (images, annotations with {@code [x, y, w, h]} pixel boxes, categories). */
    COCO,
    /** YOLO: {@code data.yaml} (names, split folders or list files), {@code labels/*.txt} with normalised boxes. */
    YOLO;

    /** The name on the command line: voc, coco, yolo. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format named {@code name} (any case). */
    public static DatasetFormat parse(String name) {
        for (DatasetFormat f : values()) {
            if (f.id().equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown dataset format '" + name + "' (known: "
                + Arrays.stream(values()).map(DatasetFormat::id).collect(Collectors.joining(", ")) + ")");
    }
}
