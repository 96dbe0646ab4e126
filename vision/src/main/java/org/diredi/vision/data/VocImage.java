package org.diredi.vision.data;

import java.nio.file.Path;
import java.util.List;

/** One image of a VOC-layout dataset with its annotations (image size from the XML). */
public record VocImage(String id, Path imagePath, int width, int height, List<VocObject> objects) {

    public VocImage {
        objects = List.copyOf(objects);
    }
}
