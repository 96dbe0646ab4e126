package org.diredi.vision.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;

/**
 * Writes the COCO layout {@link CocoReader} reads: {@code images/<id>.<ext>} and one
 * {@code annotations/instances_<split>.json} per split. Category ids are class ids + 1 (COCO counts
 * from 1); image ids number the images of the whole dataset from 1, so an image has one id in every
 * split. Difficult objects are {@code iscrowd: 1} (what COCO does not count against a detector) and
 * truncated ones carry {@code truncated: 1}, a key COCO tools ignore.
 */
final class CocoWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CocoWriter() {}

    static void write(Path dir, String name, ClassList classes, DatasetConverter.Layout layout) throws IOException {
        Map<String, String> files = DatasetConverter.copyImages(dir.resolve("images"), layout);
        Map<String, VocImage> byId = new HashMap<>();
        Map<String, Integer> number = new HashMap<>();
        for (VocImage img : layout.images()) {
            byId.put(img.id(), img);
            number.put(img.id(), number.size() + 1);
        }
        Path annotations = Files.createDirectories(dir.resolve("annotations"));
        for (Map.Entry<String, List<String>> split : layout.splits().entrySet()) {
            ObjectNode root = NODES.objectNode();
            root.putObject("info").put("description", name + " " + split.getKey());
            ArrayNode images = root.putArray("images");
            ArrayNode anns = root.putArray("annotations");
            for (String id : split.getValue()) {
                VocImage img = byId.get(id);
                images.addObject().put("id", number.get(id)).put("file_name", files.get(id))
                        .put("width", img.width()).put("height", img.height());
                for (VocObject o : img.objects()) {
                    anns.add(annotation(anns.size() + 1, number.get(id), o));
                }
            }
            ArrayNode cats = root.putArray("categories");
            for (int c = 0; c < classes.size(); c++) {
                cats.addObject().put("id", c + 1).put("name", classes.name(c)).put("supercategory", "none");
            }
            ConfigFiles.JSON.writeValue(annotations.resolve("instances_" + split.getKey() + ".json").toFile(), root);
        }
    }

    private static ObjectNode annotation(int id, int imageId, VocObject o) {
        Box b = o.box();
        ObjectNode a = NODES.objectNode().put("id", id).put("image_id", imageId).put("category_id", o.classId() + 1);
        // Width and height from the corners in double: reading x + w back gives the same float corner.
        a.putArray("bbox").add(number(b.x1())).add(number(b.y1())).add(number((double) b.x2() - b.x1()))
                .add(number((double) b.y2() - b.y1()));
        a.set("area", number((double) b.width() * b.height()));
        a.put("iscrowd", o.difficult() ? 1 : 0);
        if (o.truncated()) {
            a.put("truncated", 1);
        }
        a.putArray("segmentation");
        return a;
    }

    /** Whole pixels as integers (VOC boxes stay exact and readable), others as they are. */
    private static JsonNode number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? NODES.numberNode((long) v) : NODES.numberNode(v);
    }
}
