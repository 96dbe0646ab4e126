package org.diredi.vision.data;

import static org.diredi.vision.data.VocDatasetTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** The YOLO reader on a hand-made dataset with known boxes. */
class YoloReaderTest {

    static final ClassList VOC = ClassList.VOC;

    @TempDir
    Path root;

    static final String YAML = """
            # a split folder, a list file
            path: .
            train: images/train
            val: val.txt
            nc: 3
            names:
              0: person
              1: potted plant
              2: tv/monitor
            """;

    @BeforeEach
    void writeDataset() throws IOException {
        Files.writeString(root.resolve("data.yaml"), YAML);
        TestImages.write(root.resolve("images/train/p.jpg"), 100, 50);
        TestImages.write(root.resolve("images/train/q.png"), 40, 80); // no label file: a negative
        TestImages.write(root.resolve("images/val/r.jpg"), 64, 64);
        label("train/p.txt", "0 0.5 0.5 0.2 0.4\n\n1 0.1 0.2 0.2 0.4\n");
        label("val/r.txt", "2 0.5 0.5 1.0 1.0\n");
        Files.writeString(root.resolve("val.txt"), "./images/val/r.jpg\n");
    }

    private void label(String name, String text) throws IOException {
        Path f = root.resolve("labels").resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void readsNormalisedBoxesInPixelsOfEachImage() {
        assertEquals(DatasetFormat.YOLO, Datasets.detect(root));
        assertEquals(List.of("train", "val"), Datasets.splits(root));
        VocDataset train = Datasets.load(root, "train", VOC);
        assertEquals(List.of("p", "q"), train.images().stream().map(VocImage::id).toList());
        VocImage p = train.images().get(0);
        assertEquals(100, p.width());
        assertEquals(50, p.height());
        // person: centre (50, 25), 20 x 20 px; potted plant: centre (10, 10), 20 x 20 px
        assertEquals(new VocObject(VOC.indexOf("person"), new Box(40, 15, 60, 35), false, false), p.objects().get(0));
        assertEquals(new VocObject(VOC.indexOf("pottedplant"), new Box(0, 0, 20, 20), false, false), p.objects().get(1));
        VocImage q = train.images().get(1);
        assertEquals(40, q.width());
        assertEquals(80, q.height());
        assertTrue(q.objects().isEmpty());
        VocImage r = Datasets.load(root, "val", VOC).images().get(0);
        assertEquals(new VocObject(VOC.indexOf("tvmonitor"), new Box(0, 0, 64, 64), false, false), r.objects().get(0));
        assertEquals(root.resolve("labels/val/r.txt").toAbsolutePath(), YoloReader.labelFile(r.imagePath()));
    }

    @Test
    void namesAsAListAndAsTheDeclaredClasses() throws IOException {
        assertEquals(List.of("person", "potted plant", "tv/monitor"), Datasets.classes(root).names());
        Files.writeString(root.resolve("data.yaml"), "train: images/train\nval: val.txt\nnames: [person, plant, tv]\n");
        VocDataset ds = Datasets.load(root.resolve("data.yaml"), "train", VOC);
        assertEquals(VOC.indexOf("pottedplant"), ds.images().get(0).objects().get(1).classId());
    }

    @Test
    void malformedLabelsNameTheFileAndLine() throws IOException {
        label("train/p.txt", "0 0.5 0.5 0.2 0.4\n1 0.1 0.2 0.2\n");
        assertMessage(fails(), "p.txt", "line 2", "expected 'class cx cy w h' (5 values), got 4");
        label("train/p.txt", "3 0.5 0.5 0.2 0.4\n");
        assertMessage(fails(), "p.txt", "line 1", "class 3 is not one of the 3 names");
        label("train/p.txt", "0 50 25 20 20\n");
        assertMessage(fails(), "p.txt", "line 1", "normalised");
        label("train/p.txt", "0 0.5 0.5 0.2 x\n");
        assertMessage(fails(), "p.txt", "line 1", "'x' is not a number");
    }

    @Test
    void malformedDataYamlIsNamed() throws IOException {
        Files.writeString(root.resolve("data.yaml"), YAML.replace("nc: 3", "nc: 4"));
        assertMessage(fails(), "data.yaml", "nc is 4 but names has 3");
        Files.writeString(root.resolve("data.yaml"), YAML.replace("  1: potted plant\n", ""));
        assertMessage(fails(), "data.yaml", "names");
        Files.writeString(root.resolve("data.yaml"), YAML + "  bad: [\n");
        assertMessage(fails(), "data.yaml", "malformed YAML");
        Files.writeString(root.resolve("data.yaml"), YAML.replace("val.txt", "missing.txt"));
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(root, "val", VOC)), "data.yaml",
                "val: 'missing.txt'");
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(root, "test", VOC)), "data.yaml",
                "no split 'test'", "train, val");
        Files.writeString(root.resolve("val.txt"), "./images/val/nope.jpg\n");
        Files.writeString(root.resolve("data.yaml"), YAML);
        assertMessage(assertThrows(DataException.class, () -> Datasets.load(root, "val", VOC)), "val.txt", "line 1",
                "image not found");
    }

    private DataException fails() {
        return assertThrows(DataException.class, () -> Datasets.load(root, "train", VOC));
    }
}
