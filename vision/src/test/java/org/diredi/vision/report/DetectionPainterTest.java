package org.diredi.vision.report;

import org.diredi.vision.box.Box;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionPainterTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static BufferedImage gray(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        var g = img.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    @Test
    void boxEdgesHaveTheClassColour() {
        BufferedImage src = gray(200, 160);
        int before = rgb(src, 40, 95);
        List<Detection> dets = List.of(
                new Detection(3, 0.87f, new Box(40, 50, 120, 140)),
                new Detection(8, 0.5f, new Box(130, 10, 190, 60)));
        BufferedImage out = DetectionPainter.draw(src, dets, ClassList.FASHION, null);
        int dress = DetectionPainter.classColor(3).getRGB() & 0xffffff;
        int bag = DetectionPainter.classColor(8).getRGB() & 0xffffff;
        assertNotEquals(dress, bag);
        // Left, right and bottom edges (the tag sits above the top edge), and corners inside the box.
        assertEquals(dress, rgb(out, 40, 95));
        assertEquals(dress, rgb(out, 119, 95));
        assertEquals(dress, rgb(out, 80, 139));
        assertEquals(dress, rgb(out, 41, 138));
        assertEquals(bag, rgb(out, 189, 40));
        // Inside and outside the frame the image is untouched.
        assertEquals(0x808080, rgb(out, 80, 95));
        assertEquals(0x808080, rgb(out, 20, 150));
        assertEquals(before, rgb(src, 40, 95), "the input is not modified");
        assertEquals(200, out.getWidth());
        assertEquals(160, out.getHeight());
    }

    @Test
    void tagIsDrawnAboveTheBoxOrInsideAtTheTop() {
        BufferedImage out = DetectionPainter.draw(gray(200, 160),
                List.of(new Detection(0, 0.9f, new Box(10, 0, 150, 100))), ClassList.FASHION, null);
        int c = DetectionPainter.classColor(0).getRGB() & 0xffffff;
        // No room above: the tag fills a band inside the top of the box, so colour reaches below the 2 px edge.
        int colored = 0;
        for (int x = 12; x < 60; x++) {
            int p = rgb(out, x, 5);
            if (p == c) {
                colored++;
            }
        }
        assertTrue(colored > 5, "tag background under the label text");
    }

    @Test
    void groundTruthIsDashedAndUnknownClassesAreLabelled(@TempDir Path dir) throws IOException {
        BufferedImage src = gray(120, 120);
        List<VocObject> gt = List.of(new VocObject(1, new Box(20, 20, 100, 100), false, false),
                new VocObject(2, new Box(5, 5, 15, 15), true, false));
        BufferedImage out = DetectionPainter.draw(src, List.of(new Detection(42, 0.3f, new Box(60, 60, 110, 110))),
                ClassList.FASHION, gt);
        int trouser = DetectionPainter.classColor(1).getRGB() & 0xffffff;
        int on = 0;
        int off = 0;
        for (int x = 20; x < 60; x++) {
            if (rgb(out, x, 20) == trouser) {
                on++;
            } else {
                off++;
            }
        }
        assertTrue(on > 10 && off > 5, "dashed: on " + on + ", off " + off);
        Path png = dir.resolve("dets.png");
        DetectionPainter.writePng(out, png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(rgb(out, 60, 80), rgb(back, 60, 80));
        assertEquals(DetectionPainter.classColor(42).getRGB() & 0xffffff, rgb(back, 60, 80));
    }

    @Test
    void boxesOutsideOrDegenerateAreSkipped() {
        BufferedImage out = DetectionPainter.draw(gray(50, 50), List.of(
                new Detection(0, 0.9f, new Box(60, 60, 80, 80)),
                new Detection(0, 0.9f, new Box(10, 10, 10, 30)),
                new Detection(0, 0.9f, new Box(Float.NaN, 0, 5, 5))), ClassList.FASHION, List.of());
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 50; x++) {
                assertEquals(0x808080, rgb(out, x, y));
            }
        }
    }
}
