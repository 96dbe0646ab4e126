package org.diredi.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.diredi.vision.box.Box;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocWriterTest {

    @TempDir
    Path root;

    @Test
    void roundTripKeepsBoxesWithinRounding() throws IOException {
        ClassList classes = ClassList.FASHION;
        VocWriter writer = new VocWriter(root, classes);
        Random rnd = new Random(3);
        List<List<VocObject>> written = List.of(
                List.of(new VocObject(0, new Box(0, 0, 64, 48), false, false),
                        new VocObject(9, new Box(10.4f, 5.6f, 20.5f, 30.49f), true, false)),
                List.of(new VocObject(3, new Box(1.2f, 2.7f, 63.9f, 47.2f), false, true)),
                List.of()); // a negative image
        for (int i = 0; i < written.size(); i++) {
            writer.write("img" + i, noise(64, 48, rnd), written.get(i));
        }
        writer.writeSplit("trainval", List.of("img0", "img1", "img2"));

        VocDataset ds = VocDataset.load(root, "trainval", classes);
        assertEquals(3, ds.size());
        for (int i = 0; i < written.size(); i++) {
            VocImage img = ds.images().get(i);
            assertEquals("img" + i, img.id());
            assertEquals(64, img.width());
            assertEquals(48, img.height());
            assertEquals(written.get(i).size(), img.objects().size());
            for (int k = 0; k < img.objects().size(); k++) {
                VocObject want = written.get(i).get(k);
                VocObject got = img.objects().get(k);
                assertEquals(want.classId(), got.classId());
                assertEquals(want.difficult(), got.difficult());
                assertEquals(want.truncated(), got.truncated());
                assertEquals(want.box().x1(), got.box().x1(), 0.5f);
                assertEquals(want.box().y1(), got.box().y1(), 0.5f);
                assertEquals(want.box().x2(), got.box().x2(), 0.5f);
                assertEquals(want.box().y2(), got.box().y2(), 0.5f);
            }
        }
        // Integer boxes survive exactly.
        assertEquals(new Box(0, 0, 64, 48), ds.images().get(0).objects().get(0).box());
        assertEquals(new Box(10, 6, 21, 30), ds.images().get(0).objects().get(1).box());
        assertEquals(BufferedImage.TYPE_INT_RGB, VocDataset.readImage(ds.images().get(0)).getType());
    }

    @Test
    void xmlHasVocFieldsAndOneBasedCorners() throws IOException {
        VocWriter writer = new VocWriter(root, ClassList.FASHION);
        VocImage back = writer.write("a", noise(30, 20, new Random(1)),
                List.of(new VocObject(8, new Box(0, 0, 5, 7), true, true)));
        String xml = Files.readString(root.resolve("Annotations/a.xml"));
        for (String part : List.of("<filename>a.jpg</filename>", "<width>30</width>", "<height>20</height>",
                "<name>bag</name>", "<pose>Unspecified</pose>", "<truncated>1</truncated>",
                "<difficult>1</difficult>", "<xmin>1</xmin>", "<ymin>1</ymin>", "<xmax>5</xmax>",
                "<ymax>7</ymax>", "<folder>" + root.getFileName() + "</folder>")) {
            assertTrue(xml.contains(part), part + " missing in\n" + xml);
        }
        assertEquals(new Box(0, 0, 5, 7), back.objects().get(0).box());
        assertEquals(root.resolve("JPEGImages/a.jpg"), back.imagePath());
    }

    @Test
    void boxesAreClippedToTheImage() {
        VocWriter writer = new VocWriter(root, ClassList.FASHION);
        VocImage back = writer.write("c", noise(30, 20, new Random(1)),
                List.of(new VocObject(1, new Box(-3, -2, 40, 25), false, false)));
        assertEquals(new Box(0, 0, 30, 20), back.objects().get(0).box());
    }

    @Test
    void leavesNoTemporaryFilesAndOverwrites() throws IOException {
        VocWriter writer = new VocWriter(root, ClassList.FASHION);
        writer.write("x", noise(16, 16, new Random(2)), List.of(new VocObject(0, new Box(1, 1, 5, 5), false, false)));
        writer.write("x", noise(16, 16, new Random(2)), List.of());
        writer.writeSplit("s", List.of("x"));
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .sorted().toList();
            assertEquals(List.of("s.txt", "x.jpg", "x.xml"), names);
        }
        assertFalse(Files.readString(root.resolve("Annotations/x.xml")).contains("<object>"));
    }

    @Test
    void rejectsIdsThatAreNotFileNames() {
        VocWriter writer = new VocWriter(root, ClassList.FASHION);
        BufferedImage img = noise(8, 8, new Random(0));
        assertThrows(IllegalArgumentException.class, () -> writer.write("../x", img, List.of()));
        assertThrows(IllegalArgumentException.class, () -> writer.write("a b", img, List.of()));
        assertThrows(IllegalArgumentException.class, () -> writer.writeSplit("s", List.of()));
    }

    @Test
    void classListFileRoundTrip() throws IOException {
        Path f = root.resolve("classes.txt");
        ClassList.FASHION.write(f);
        assertEquals("tshirt\ntrouser\npullover\ndress\ncoat\nsandal\nshirt\nsneaker\nbag\nboot\n",
                Files.readString(f));
        assertEquals(ClassList.FASHION, ClassList.read(f));
        Files.writeString(f, "# comment\ncat\n\ndog\ncat\n");
        DataException e = assertThrows(DataException.class, () -> ClassList.read(f));
        assertTrue(e.getMessage().contains("classes.txt") && e.getMessage().contains("'cat' twice"), e.getMessage());
        DataException missing = assertThrows(DataException.class, () -> ClassList.read(root.resolve("none.txt")));
        assertTrue(missing.getMessage().contains("none.txt: class list file not found"), missing.getMessage());
    }

    static BufferedImage noise(int w, int h, Random rnd) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        return img;
    }
}
