package org.diredi.vision.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

class PreprocessTest {

    static BufferedImage random(int w, int h, long seed) {
        Random rnd = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        return img;
    }

    @Test
    void normalisesWithImageNetStatisticsInRgbChwOrder() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000); // pure red
        img.setRGB(1, 0, 0x000080); // half blue
        float[] chw = Preprocess.toChw(img, 2, 1);
        assertEquals(6, chw.length);
        assertEquals((1 - 0.485f) / 0.229f, chw[0], 1e-5); // R plane, pixel 0
        assertEquals((0 - 0.485f) / 0.229f, chw[1], 1e-5); // R plane, pixel 1
        assertEquals((0 - 0.456f) / 0.224f, chw[2], 1e-5); // G plane
        assertEquals((0 - 0.406f) / 0.225f, chw[4], 1e-5); // B plane, pixel 0
        assertEquals((128 / 255f - 0.406f) / 0.225f, chw[5], 1e-5);
    }

    @Test
    void roundTripAtTheSameSizeIsWithinOneLevel() {
        BufferedImage img = random(37, 23, 1);
        BufferedImage back = Preprocess.fromChw(Preprocess.toChw(img, 37, 23), 37, 23);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                int a = img.getRGB(x, y);
                int b = back.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    assertTrue(Math.abs(((a >> shift) & 0xFF) - ((b >> shift) & 0xFF)) <= 1,
                            "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void bilinearResizeAveragesAndKeepsFlatColours() {
        // Columns alternate 0 and 200: halving the width (pixel-centre aligned) gives their mean.
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                int v = x % 2 == 0 ? 0 : 200;
                img.setRGB(x, y, v << 16 | 0x4080);
            }
        }
        BufferedImage small = Preprocess.fromChw(Preprocess.toChw(img, 4, 2), 4, 2);
        for (int x = 0; x < 4; x++) {
            assertEquals(100, (small.getRGB(x, 1) >> 16) & 0xFF, 1);
            assertEquals(0x40, (small.getRGB(x, 1) >> 8) & 0xFF);
            assertEquals(0x80, small.getRGB(x, 1) & 0xFF);
        }
        // Upscaling a flat image stays flat; the output has the requested size.
        BufferedImage flat = new BufferedImage(3, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 3; x++) {
                flat.setRGB(x, y, 0x123456);
            }
        }
        float[] big = Preprocess.toChw(flat, 11, 7);
        assertEquals(3 * 11 * 7, big.length);
        BufferedImage back = Preprocess.fromChw(big, 11, 7);
        assertEquals(0x123456, back.getRGB(10, 6) & 0xFFFFFF);
        assertEquals(0x123456, back.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void greyAndArgbImagesGiveTheSameTensorAsRgb() {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 2, 0, 200);
        float[] chw = Preprocess.toChw(grey, 4, 4);
        // The stored 200 must not be gamma-brightened by Java's linear-grey colour model.
        assertEquals((200 / 255f - 0.485f) / 0.229f, chw[2 * 4 + 1], 1e-5);
        BufferedImage rgb = random(5, 3, 4);
        BufferedImage argb = new BufferedImage(5, 3, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                argb.setRGB(x, y, 0xFF000000 | rgb.getRGB(x, y));
            }
        }
        assertEquals(java.util.Arrays.toString(Preprocess.toChw(rgb, 5, 3)),
                java.util.Arrays.toString(Preprocess.toChw(argb, 5, 3)));
    }

    @Test
    void boxesScaleWithThePlainResize() {
        Box b = new Box(50, 30, 250, 150);
        Box in = Preprocess.toInput(b, 500, 300, 160, 160);
        assertBox(new Box(16, 16, 80, 80), in);
        Box back = Preprocess.toImage(in, 160, 160, 500, 300);
        assertEquals(b.x1(), back.x1(), 1e-3);
        assertEquals(b.y2(), back.y2(), 1e-3);

        BufferedImage img = random(500, 300, 2);
        Sample s = Preprocess.sample(img, List.of(new VocObject(3, b, true, false)), 160, 160);
        assertEquals(160, s.width());
        assertBox(new Box(16, 16, 80, 80), s.objects().get(0).box());
        assertEquals(3, s.objects().get(0).classId());
        assertTrue(s.objects().get(0).difficult());
    }

    static void assertBox(Box want, Box got) {
        assertEquals(want.x1(), got.x1(), 1e-4, got.toString());
        assertEquals(want.y1(), got.y1(), 1e-4, got.toString());
        assertEquals(want.x2(), got.x2(), 1e-4, got.toString());
        assertEquals(want.y2(), got.y2(), 1e-4, got.toString());
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> Preprocess.toChw(random(2, 2, 0), 0, 4));
        assertThrows(IllegalArgumentException.class, () -> Preprocess.fromChw(new float[11], 2, 2));
    }

    @Test
    void aBgrCameraFrameGivesExactlyTheInputOfTheSameImageReadFromFile() {
        BufferedImage img = random(37, 23, 4);
        byte[] bgr = new byte[37 * 23 * 3];
        for (int y = 0, j = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++, j += 3) {
                int p = img.getRGB(x, y);
                bgr[j] = (byte) p;
                bgr[j + 1] = (byte) (p >> 8);
                bgr[j + 2] = (byte) (p >> 16);
            }
        }
        assertTrue(java.util.Arrays.equals(Preprocess.toChw(img, 16, 16), Preprocess.bgrToChw(bgr, 37, 23, 16, 16)));
        assertThrows(IllegalArgumentException.class, () -> Preprocess.bgrToChw(new byte[10], 37, 23, 16, 16));
    }
}
