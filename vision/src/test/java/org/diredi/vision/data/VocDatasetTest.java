package org.diredi.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.diredi.vision.box.Box;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocDatasetTest {

    static final ClassList CLASSES = new ClassList(List.of("cat", "dog", "person"));

    @TempDir
    Path root;

    @BeforeEach
    void writeValidDataset() throws IOException {
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.createDirectories(root.resolve("ImageSets/Main"));
        jpeg("000001.jpg", 40, 30);
        jpeg("000002.jpg", 50, 20);
        xml("000001", """
                <annotation>
                  <folder>VOC2007</folder>
                  <filename>000001.jpg</filename>
                  <size><width>40</width><height>30</height><depth>3</depth></size>
                  <object>
                    <name>dog</name><pose>Left</pose><truncated>1</truncated><difficult>0</difficult>
                    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>40</xmax><ymax>30</ymax></bndbox>
                  </object>
                  <object>
                    <name>person</name><difficult>1</difficult>
                    <bndbox><xmin>5</xmin><ymin>6</ymin><xmax>10</xmax><ymax>12</ymax></bndbox>
                    <part><name>head</name><bndbox><xmin>6</xmin><ymin>6</ymin><xmax>8</xmax><ymax>8</ymax></bndbox></part>
                  </object>
                </annotation>
                """);
        xml("000002", """
                <annotation>
                  <size><width>50</width><height>20</height></size>
                  <object>
                    <name>cat</name>
                    <bndbox><xmin>0</xmin><ymin>3</ymin><xmax>7</xmax><ymax>3</ymax></bndbox>
                  </object>
                </annotation>
                """);
        split("train", "000001\n\n  000002  \n\n");
    }

    @Test
    void parsesBoxesFlagsAndClasses() {
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        assertEquals(2, ds.size());
        assertEquals("train", ds.split());
        assertSame(CLASSES, ds.classes());
        VocImage a = ds.images().get(0);
        assertEquals("000001", a.id());
        assertEquals(root.resolve("JPEGImages/000001.jpg"), a.imagePath());
        assertEquals(40, a.width());
        assertEquals(30, a.height());
        // The person's <part> must not be read as a third object.
        assertEquals(2, a.objects().size());
        VocObject dog = a.objects().get(0);
        assertEquals(1, dog.classId());
        assertEquals(new Box(0, 0, 40, 30), dog.box()); // 1-based inclusive -> continuous
        assertTrue(dog.truncated());
        assertFalse(dog.difficult());
        VocObject person = a.objects().get(1);
        assertEquals(2, person.classId());
        assertEquals(new Box(4, 5, 10, 12), person.box());
        assertEquals(6, person.box().width()); // pixels 5..10 inclusive
        assertTrue(person.difficult());
        assertFalse(person.truncated()); // default 0

        VocImage b = ds.images().get(1);
        assertEquals(root.resolve("JPEGImages/000002.jpg"), b.imagePath()); // no <filename>: id.jpg
        // xmin 0 (0-based exporters) is tolerated and clamped; a 1-pixel-high box (ymin == ymax) is valid.
        assertEquals(new Box(0, 2, 7, 3), b.objects().get(0).box());

        assertEquals(3, ds.objectCount());
        assertEquals(Map.of("cat", 1, "dog", 1, "person", 1), ds.countsPerClass());
        assertEquals(List.of("cat", "dog", "person"), List.copyOf(ds.countsPerClass().keySet()));
    }

    @Test
    void restrictToKeepsClassIdsAndNegatives() {
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        VocDataset dogs = ds.restrictTo(List.of("dog"));
        assertEquals(CLASSES, dogs.classes());
        assertEquals(2, dogs.size()); // image 000002 kept as a negative
        assertEquals(List.of(1), dogs.images().get(0).objects().stream().map(VocObject::classId).toList());
        assertTrue(dogs.images().get(1).objects().isEmpty());
        assertEquals(Map.of("cat", 0, "dog", 1, "person", 0), dogs.countsPerClass());
        assertEquals(3, ds.objectCount()); // the original is untouched

        VocDataset two = ds.restrictTo(List.of("person", "cat"));
        assertEquals(2, two.objectCount());
        assertEquals(2, two.images().get(0).objects().get(0).classId());
        assertEquals(0, two.images().get(1).objects().get(0).classId());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ds.restrictTo(List.of("horse")));
        assertTrue(e.getMessage().contains("horse"), e.getMessage());
    }

    @Test
    void withoutImagesOfDropsEveryImageShowingTheClass() {
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        VocDataset noDogs = ds.withoutImagesOf(List.of("dog"));
        assertEquals(1, noDogs.size()); // the dog image goes with its person; the cat image stays
        assertEquals(List.of(0), noDogs.images().get(0).objects().stream().map(VocObject::classId).toList());
        assertEquals(2, ds.size());
        assertEquals(2, ds.withoutImagesOf(List.of()).size());
        assertThrows(IllegalArgumentException.class, () -> ds.withoutImagesOf(List.of("horse")));
    }

    @Test
    void filenameTagChoosesTheImage() throws IOException {
        jpeg("photo_a.png.jpg", 40, 30);
        xml("000001", validXml("photo_a.png.jpg", 40, 30, "dog", "2", "2", "9", "9"));
        Files.delete(root.resolve("JPEGImages/000001.jpg"));
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        assertEquals(root.resolve("JPEGImages/photo_a.png.jpg"), ds.images().get(0).imagePath());
    }

    @Test
    void malformedXmlNamesFileAndLine() throws IOException {
        xml("000002", "<annotation>\n<size><width>50</width>\n<height>20</height></size>\n<object>\n</annotation>\n");
        DataException e = fails();
        assertMessage(e, "000002.xml", "malformed XML", "line 5");
        assertEquals(root.resolve("Annotations/000002.xml"), e.file());
    }

    @Test
    void doctypeIsRejected() throws IOException {
        xml("000002", "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                + "<annotation><size><width>50</width><height>20</height></size><name>&x;</name></annotation>\n");
        assertMessage(fails(), "000002.xml", "malformed XML", "DOCTYPE");
    }

    @Test
    void missingSize() throws IOException {
        xml("000002", "<annotation><filename>000002.jpg</filename></annotation>");
        assertMessage(fails(), "000002.xml", "missing <size>");
    }

    @Test
    void nonNumericCoordinate() throws IOException {
        xml("000002", validXml(null, 50, 20, "cat", "2", "3", "ten", "9"));
        assertMessage(fails(), "000002.xml", "object 1 of 1", "<xmax> is not a number: 'ten'");
    }

    @Test
    void emptyBox() throws IOException {
        xml("000002", validXml(null, 50, 20, "cat", "30", "3", "20", "9"));
        assertMessage(fails(), "000002.xml", "object 1 of 1 (class 'cat')", "empty box", "xmin=30 xmax=20");
    }

    @Test
    void emptyBoxVertical() throws IOException {
        xml("000002", validXml(null, 50, 20, "cat", "2", "9", "20", "5"));
        assertMessage(fails(), "000002.xml", "empty box", "ymin=9 ymax=5");
    }

    @Test
    void boxOutsideImage() throws IOException {
        xml("000002", validXml(null, 50, 20, "cat", "2", "3", "51", "9"));
        assertMessage(fails(), "000002.xml", "object 1 of 1", "outside the image 50x20", "xmax=51");
    }

    @Test
    void negativeCoordinateIsOutside() throws IOException {
        xml("000002", validXml(null, 50, 20, "cat", "2", "-3", "10", "9"));
        assertMessage(fails(), "000002.xml", "outside the image", "ymin=-3");
    }

    @Test
    void unknownClassListsKnownOnes() throws IOException {
        xml("000001", """
                <annotation><size><width>40</width><height>30</height></size>
                <object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></object>
                <object><name>horse</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></object>
                </annotation>""");
        assertMessage(fails(), "000001.xml", "object 2 of 2", "unknown class 'horse'",
                "known classes: cat, dog, person");
    }

    @Test
    void badDifficultFlag() throws IOException {
        xml("000002", """
                <annotation><size><width>50</width><height>20</height></size>
                <object><name>cat</name><difficult>maybe</difficult>
                <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></object>
                </annotation>""");
        assertMessage(fails(), "000002.xml", "<difficult> must be 0 or 1", "maybe");
    }

    @Test
    void missingImage() throws IOException {
        Files.delete(root.resolve("JPEGImages/000002.jpg"));
        assertMessage(fails(), "000002.xml", "image file missing", "000002.jpg");
    }

    @Test
    void missingAnnotation() throws IOException {
        Files.delete(root.resolve("Annotations/000002.xml"));
        assertMessage(fails(), "000002.xml", "annotation file not found");
    }

    @Test
    void corruptImageBytes() throws IOException {
        Files.writeString(root.resolve("JPEGImages/000002.jpg"), "this is not a JPEG");
        DataException e = fails();
        assertMessage(e, "000002.jpg", "corrupt");
        assertEquals(root.resolve("JPEGImages/000002.jpg"), e.file());
    }

    @Test
    void truncatedImageFailsOnRead() throws IOException {
        Path file = root.resolve("JPEGImages/000001.jpg");
        byte[] bytes = Files.readAllBytes(file);
        // Keep the header (so load's size check passes) but cut the entropy-coded data.
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 200));
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        DataException e = assertThrows(DataException.class, () -> VocDataset.readImage(ds.images().get(0)));
        assertMessage(e, "000001.jpg", "corrupt");
    }

    @Test
    void imageSizeMustMatchAnnotation() throws IOException {
        jpeg("000002.jpg", 51, 20);
        assertMessage(fails(), "000002.jpg", "image is 51x20", "000002.xml says 50x20");
    }

    @Test
    void readImageChecksSizeAndDecodes() {
        VocDataset ds = VocDataset.load(root, "train", CLASSES);
        BufferedImage img = VocDataset.readImage(ds.images().get(1));
        assertEquals(50, img.getWidth());
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        VocImage wrong = new VocImage("000002", ds.images().get(1).imagePath(), 49, 20, List.of());
        assertMessage(assertThrows(DataException.class, () -> VocDataset.readImage(wrong)),
                "000002.jpg", "image is 50x20 but its annotation says 49x20");
    }

    @Test
    void emptySplit() throws IOException {
        split("train", "\n  \n\n");
        assertMessage(fails(), "train.txt", "empty split");
    }

    @Test
    void missingSplitFile() {
        DataException e = assertThrows(DataException.class, () -> VocDataset.load(root, "val", CLASSES));
        assertMessage(e, "val.txt", "split file not found");
    }

    @Test
    void perClassSplitFileIsRejected() throws IOException {
        split("train", "000001  1\n000002 -1\n");
        assertMessage(fails(), "train.txt", "line 1", "expected one image id");
    }

    @Test
    void duplicateIdIsRejected() throws IOException {
        split("train", "000001\n000002\n000001\n");
        assertMessage(fails(), "train.txt", "line 3", "duplicate image id '000001'");
    }

    @Test
    void firstErrorInSplitOrderIsReported() throws IOException {
        // Both images are broken; the message must not depend on parallel parsing order.
        xml("000001", "<annotation/>");
        xml("000002", "<annotation/>");
        for (int i = 0; i < 5; i++) {
            assertMessage(fails(), "000001.xml", "missing <size>");
        }
    }

    private DataException fails() {
        return assertThrows(DataException.class, () -> VocDataset.load(root, "train", CLASSES));
    }

    static void assertMessage(DataException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain '" + p + "': " + e.getMessage());
        }
    }

    private static String validXml(String filename, int w, int h, String cls, String xmin, String ymin,
            String xmax, String ymax) {
        return "<annotation>" + (filename == null ? "" : "<filename>" + filename + "</filename>")
                + "<size><width>" + w + "</width><height>" + h + "</height></size>"
                + "<object><name>" + cls + "</name><bndbox><xmin>" + xmin + "</xmin><ymin>" + ymin
                + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax + "</ymax></bndbox></object></annotation>";
    }

    private void xml(String id, String content) throws IOException {
        Files.writeString(root.resolve("Annotations/" + id + ".xml"), content, StandardCharsets.UTF_8);
    }

    private void split(String name, String content) throws IOException {
        Files.writeString(root.resolve("ImageSets/Main/" + name + ".txt"), content);
    }

    private void jpeg(String name, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 37) & 0xFF) << 16 | ((y * 53) & 0xFF) << 8 | ((x * y) & 0xFF));
            }
        }
        ImageIO.write(img, "jpg", root.resolve("JPEGImages/" + name).toFile());
    }
}
