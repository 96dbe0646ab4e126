package org.diredi.vision.data;

import static org.diredi.vision.data.VocDatasetTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VOC -> COCO -> YOLO -> VOC keeps every box; a conversion is all or nothing and never overwrites. */
class DatasetConverterTest {

    static final ClassList CLASSES = new ClassList(List.of("cat", "dog", "pottedplant"));

    @TempDir
    Path tmp;

    Path voc;

    @BeforeEach
    void writeVoc() throws IOException {
        voc = tmp.resolve("voc");
        VocWriter w = new VocWriter(voc, CLASSES, "VOC");
        // odd sizes and aspects; boxes touching every edge, one pixel wide, difficult and truncated
        w.write("a", image(64, 40), List.of(obj(0, 0, 0, 64, 40, false, true), obj(1, 10, 5, 11, 6, true, false)));
        w.write("b", image(33, 71), List.of(obj(2, 3, 7, 33, 71, false, false), obj(0, 0, 70, 1, 71, false, false),
                obj(1, 12, 13, 29, 55, false, false)));
        w.write("c", image(1001, 17), List.of(obj(2, 999, 0, 1001, 17, true, true)));
        w.write("d", image(20, 20), List.of()); // a negative
        w.writeSplit("train", List.of("a", "b", "d"));
        w.writeSplit("val", List.of("c"));
        w.writeSplit("trainval", List.of("a", "b", "c", "d"));
        CLASSES.write(voc.resolve("classes.txt"));
    }

    private static java.awt.image.BufferedImage image(int w, int h) {
        return new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
    }

    private static VocObject obj(int c, float x1, float y1, float x2, float y2, boolean difficult, boolean truncated) {
        return new VocObject(c, new Box(x1, y1, x2, y2), difficult, truncated);
    }

    @Test
    void roundTripVocCocoYoloVocKeepsEveryBox() throws IOException {
        Path coco = tmp.resolve("coco");
        Path yolo = tmp.resolve("yolo");
        Path back = tmp.resolve("back");
        DatasetConverter.Summary s1 = DatasetConverter.convert(DatasetConverter.Request.of(voc, DatasetFormat.COCO, coco));
        assertEquals(List.of("train", "trainval", "val"), s1.splits().stream().map(DatasetConverter.SplitCount::split).toList());
        assertEquals(0, s1.flagsLost());
        DatasetConverter.Summary s2 = DatasetConverter.convert(DatasetConverter.Request.of(coco, DatasetFormat.YOLO, yolo)
                .withFrom(DatasetFormat.COCO));
        assertEquals(2, s2.flagsLost()); // a's and c's difficult objects, each once
        assertTrue(s2.format().contains("2 difficult / crowd objects are ordinary ones in YOLO"), s2.format());
        DatasetConverter.convert(DatasetConverter.Request.of(yolo, DatasetFormat.VOC, back));

        for (String split : List.of("train", "val", "trainval")) {
            List<VocImage> original = Datasets.load(voc, split, CLASSES).images();
            List<VocImage> viaCoco = Datasets.load(coco, split, CLASSES).images();
            List<VocImage> viaYolo = Datasets.load(yolo, split, CLASSES).images();
            List<VocImage> returned = Datasets.load(back, split, CLASSES).images();
            assertEquals(ids(original), ids(returned));
            for (int i = 0; i < original.size(); i++) {
                VocImage o = original.get(i);
                // COCO keeps whole pixels and flags exactly (difficult as iscrowd, truncated as an extra key)
                assertEquals(o.objects(), viaCoco.get(i).objects(), o.id());
                // YOLO: six decimals of the side, so within 1e-6 of the side; the flags are gone
                for (int k = 0; k < o.objects().size(); k++) {
                    assertClose(o.objects().get(k).box(), viaYolo.get(i).objects().get(k).box(), 1e-6 * Math.max(o.width(), o.height()));
                    assertFalse(viaYolo.get(i).objects().get(k).difficult());
                }
                // back in VOC: rounding to whole pixels returns the very same boxes and classes
                VocImage r = returned.get(i);
                assertEquals(o.width(), r.width());
                assertEquals(o.height(), r.height());
                assertEquals(o.objects().stream().map(VocObject::box).toList(), r.objects().stream().map(VocObject::box).toList());
                assertEquals(o.objects().stream().map(VocObject::classId).toList(),
                        r.objects().stream().map(VocObject::classId).toList());
            }
        }
        assertEquals(CLASSES, Datasets.classes(back));
    }

    @Test
    void cocoOutputHoldsCrowdAndCategoriesFromOne() throws IOException {
        Path coco = tmp.resolve("coco");
        DatasetConverter.convert(DatasetConverter.Request.of(voc, DatasetFormat.COCO, coco).withSplits(List.of("val")));
        JsonNode j = ConfigFiles.JSON.readTree(coco.resolve("annotations/instances_val.json").toFile());
        assertEquals("pottedplant", j.get("categories").get(2).get("name").asText());
        assertEquals(3, j.get("categories").get(2).get("id").asInt());
        JsonNode a = j.get("annotations").get(0);
        assertEquals("[999,0,2,17]", a.get("bbox").toString()); // VOC xmin 1000, xmax 1001: x 999, width 2
        assertEquals(1, a.get("iscrowd").asInt());
        assertEquals("c.jpg", j.get("images").get(0).get("file_name").asText());
        assertTrue(Files.isRegularFile(coco.resolve("images/c.jpg")));
        assertFalse(Files.exists(coco.resolve("images/a.jpg"))); // only the converted split's images
    }

    @Test
    void aNonEmptyOutIsRefusedAndLeftAlone() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "keep me");
        DataException e = assertThrows(DataException.class,
                () -> DatasetConverter.convert(DatasetConverter.Request.of(voc, DatasetFormat.YOLO, out)));
        assertMessage(e, "taken", "not empty");
        assertEquals(List.of("keep.txt"), list(out));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        DatasetConverter.convert(DatasetConverter.Request.of(voc, DatasetFormat.YOLO, empty));
        assertTrue(Files.isRegularFile(empty.resolve("data.yaml")));
    }

    @Test
    void aFailedConversionLeavesNothing() throws IOException {
        Files.writeString(voc.resolve("Annotations/c.xml"), "<annotation>");
        DataException e = assertThrows(DataException.class,
                () -> DatasetConverter.convert(DatasetConverter.Request.of(voc, DatasetFormat.COCO, tmp.resolve("out"))));
        assertMessage(e, "c.xml", "malformed XML");
        assertEquals(List.of("voc"), list(tmp));
        assertMessage(assertThrows(DataException.class, () -> DatasetConverter.convert(DatasetConverter.Request
                .of(voc, DatasetFormat.COCO, tmp.resolve("out")).withFrom(DatasetFormat.YOLO))), "holds a voc dataset, not yolo");
        assertEquals(List.of("voc"), list(tmp));
    }

    private static List<String> ids(List<VocImage> images) {
        return images.stream().map(VocImage::id).toList();
    }

    private static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertClose(Box a, Box b, double tol) {
        assertTrue(Math.abs(a.x1() - b.x1()) <= tol && Math.abs(a.y1() - b.y1()) <= tol
                && Math.abs(a.x2() - b.x2()) <= tol && Math.abs(a.y2() - b.y2()) <= tol, a + " vs " + b);
    }
}
