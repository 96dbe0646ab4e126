package org.diredi.vision.data;

import static org.diredi.vision.data.VocDatasetTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.box.Box;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The COCO reader on a hand-made instances file with known boxes. */
class CocoReaderTest {

    static final ClassList VOC = ClassList.VOC;

    @TempDir
    Path root;

    Path json;

    /**
     * Two images of different aspect (64x40 JPEG, 30x50 PNG) in {@code train/}, categories with gaps in
     * their ids and labelme / COCO names, a crowd region and a box 0.5 px over the edge.
     */
    static final String TRAIN = """
            {"images": [
               {"id": 10, "file_name": "a.jpg", "width": 64, "height": 40},
               {"id": 11, "file_name": "b.png", "width": 30, "height": 50}],
             "annotations": [
               {"id": 1, "image_id": 10, "category_id": 1, "bbox": [10, 5, 20, 15], "iscrowd": 0},
               {"id": 2, "image_id": 10, "category_id": 3, "bbox": [0, 0, 64, 40], "iscrowd": 1},
               {"id": 3, "image_id": 11, "category_id": 7, "bbox": [2.5, 3.25, 10, 20.5]},
               {"id": 4, "image_id": 11, "category_id": 7, "bbox": [29, 0, 1.5, 50], "iscrowd": 0}],
             "categories": [
               {"id": 1, "name": "potted plant"}, {"id": 3, "name": "tv/monitor"}, {"id": 7, "name": "cat"}]}
            """;

    @BeforeEach
    void writeDataset() throws IOException {
        TestImages.write(root.resolve("train/a.jpg"), 64, 40);
        TestImages.write(root.resolve("train/b.png"), 30, 50);
        json = root.resolve("annotations/instances_train.json");
        Files.createDirectories(json.getParent());
        Files.writeString(json, TRAIN);
    }

    @Test
    void readsBoxesCrowdAndClassesByName() {
        assertEquals(DatasetFormat.COCO, Datasets.detect(root));
        assertEquals(List.of("train"), Datasets.splits(root));
        VocDataset ds = Datasets.load(root, "train", VOC);
        assertEquals(2, ds.size());
        VocImage a = ds.images().get(0);
        assertEquals("a", a.id());
        assertEquals(root.resolve("train/a.jpg").toAbsolutePath(), a.imagePath().toAbsolutePath());
        assertEquals(64, a.width());
        assertEquals(40, a.height());
        assertEquals(new VocObject(VOC.indexOf("pottedplant"), new Box(10, 5, 30, 20), false, false), a.objects().get(0));
        // the crowd region: kept, flagged like a VOC difficult object
        assertEquals(new VocObject(VOC.indexOf("tvmonitor"), new Box(0, 0, 64, 40), true, false), a.objects().get(1));
        VocImage b = ds.images().get(1);
        assertEquals("b", b.id());
        assertEquals(30, b.width());
        assertEquals(50, b.height());
        assertEquals(new Box(2.5f, 3.25f, 12.5f, 23.75f), b.objects().get(0).box());
        assertEquals(new Box(29, 0, 30, 50), b.objects().get(1).box()); // 0.5 px over the edge: clipped
        assertEquals(VOC.indexOf("cat"), b.objects().get(1).classId());
    }

    @Test
    void theDeclaredClassesAreTheCategoriesInIdOrder() {
        assertEquals(List.of("potted plant", "tv/monitor", "cat"), Datasets.classes(root).names());
        VocDataset own = Datasets.load(root, "train", Datasets.classes(root));
        assertEquals(List.of(0, 1), own.images().get(0).objects().stream().map(VocObject::classId).toList());
    }

    @Test
    void aJsonFileIsTheSplitAll() {
        assertEquals(DatasetFormat.COCO, Datasets.detect(json));
        assertEquals(List.of("all"), Datasets.splits(json));
        VocDataset ds = Datasets.load(json, "all", VOC);
        assertEquals(2, ds.size());
        assertEquals(root.resolve("train/b.png").toAbsolutePath(), ds.images().get(1).imagePath().toAbsolutePath());
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(json, "train", VOC)),
                "instances_train.json", "'all'");
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(root, "val", VOC)),
                "no COCO split 'val'", "its splits: train");
    }

    @Test
    void malformedJsonNamesTheFileAndLine() throws IOException {
        Files.writeString(json, TRAIN.substring(0, TRAIN.indexOf("\"annotations\"")) + "\"annotations\": [ {\"id\": }");
        assertMessage(fails(), "instances_train.json", "malformed JSON at line 4");
    }

    @Test
    void badEntriesNameTheEntryAndTheProblem() throws IOException {
        broken("\"bbox\": [10, 5, 20, 15]", "\"bbox\": [10, 5, 20]", "annotations[0] (id 1)", "bbox must be [x, y, width, height]");
        broken("\"bbox\": [10, 5, 20, 15]", "\"bbox\": [10, 5, 0, 15]", "annotations[0]", "empty box");
        broken("\"bbox\": [10, 5, 20, 15]", "\"bbox\": [50, 5, 20, 15]", "annotations[0]", "outside the image 64x40");
        broken("\"image_id\": 11, \"category_id\": 7, \"bbox\": [2.5", "\"image_id\": 12, \"category_id\": 7, \"bbox\": [2.5",
                "annotations[2] (id 3)", "image_id 12 is not in 'images'");
        broken("\"name\": \"cat\"", "\"name\": \"unicorn\"", "annotations[2]", "category 'unicorn' (id 7) is not in the class list");
        broken("\"category_id\": 3", "\"category_id\": 4", "annotations[1]", "category_id 4 is not in 'categories'");
        broken("\"iscrowd\": 1", "\"iscrowd\": 2", "annotations[1]", "'iscrowd' must be 0 or 1");
        broken("\"width\": 64", "\"width\": 65", "a.jpg", "image is 64x40 but instances_train.json images[0] says 65x40");
        broken("\"file_name\": \"b.png\"", "\"file_name\": \"c.png\"", "images[1]", "image file 'c.png' not found");
        broken("\"id\": 11, \"file_name\"", "\"id\": 10, \"file_name\"", "images[1]", "image id 10 is given twice");
        broken("\"images\"", "\"pictures\"", "instances_train.json", "no 'images' list");
    }

    private void broken(String from, String to, String... message) throws IOException {
        assertTrue(TRAIN.contains(from), from);
        Files.writeString(json, TRAIN.replace(from, to));
        DataException e = fails();
        assertMessage(e, "instances_train.json");
        assertMessage(e, message);
    }

    private DataException fails() {
        return assertThrows(DataException.class, () -> Datasets.load(root, "train", VOC));
    }

    @Test
    void roboflowLayoutOneJsonPerSplitFolderImagesBeside() throws IOException {
        Path rf = root.resolve("rf");
        TestImages.write(rf.resolve("valid/a.jpg"), 64, 40);
        TestImages.write(rf.resolve("valid/b.png"), 30, 50);
        Files.writeString(rf.resolve("valid/_annotations.coco.json"), TRAIN);
        assertEquals(DatasetFormat.COCO, Datasets.detect(rf));
        assertEquals(List.of("valid"), Datasets.splits(rf));
        VocDataset ds = Datasets.load(rf, "valid", VOC);
        assertEquals(rf.resolve("valid/a.jpg").toAbsolutePath(), ds.images().get(0).imagePath().toAbsolutePath());
        assertFalse(ds.images().get(0).objects().get(0).difficult());
    }
}
