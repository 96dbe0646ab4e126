package org.diredi.vision.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.Test;

class AugmentTest {

    static final int W = 64;
    static final int H = 48;

    static Sample sample(List<VocObject> objects) {
        return Preprocess.sample(PreprocessTest.random(W, H, 9), objects, W, H);
    }

    static VocObject obj(int cls, float x1, float y1, float x2, float y2) {
        return new VocObject(cls, new Box(x1, y1, x2, y2), false, false);
    }

    @Test
    void flipMirrorsPixelsAndBoxesExactly() {
        Sample s = sample(List.of(obj(1, 3.5f, 4, 20.25f, 30), obj(2, 0, 0, W, H)));
        Sample f = Augment.flipHorizontal(s);
        assertEquals(new Box(W - 20.25f, 4, W - 3.5f, 30), f.objects().get(0).box());
        assertEquals(new Box(0, 0, W, H), f.objects().get(1).box());
        int plane = W * H;
        for (int c = 0; c < 3; c++) {
            assertEquals(s.chw()[c * plane + 5 * W + 0], f.chw()[c * plane + 5 * W + W - 1]);
            assertEquals(s.chw()[c * plane + 7 * W + 10], f.chw()[c * plane + 7 * W + W - 11]);
        }
        assertArrayEquals(s.chw(), Augment.flipHorizontal(f).chw());
    }

    @Test
    void noneIsIdentityAndCopies() {
        Sample s = sample(List.of(obj(1, 3, 4, 20, 30)));
        float[] before = s.chw().clone();
        Sample out = new Augment(AugmentConfig.NONE).apply(s, new Random(1));
        assertArrayEquals(before, out.chw());
        assertNotSame(s.chw(), out.chw());
        assertEquals(s.objects(), out.objects());
        assertTrue(AugmentConfig.NONE.isIdentity());
        assertFalse(AugmentConfig.DEFAULT.isIdentity());
    }

    @Test
    void sameSeedSameOutputAndInputUntouched() {
        Sample s = sample(List.of(obj(1, 3, 4, 20, 30), obj(5, 30, 10, 60, 40)));
        float[] before = s.chw().clone();
        Augment aug = new Augment(AugmentConfig.DEFAULT);
        Sample a = aug.apply(s, new Random(42));
        Sample b = aug.apply(s, new Random(42));
        assertArrayEquals(a.chw(), b.chw());
        assertEquals(a.objects(), b.objects());
        assertArrayEquals(before, s.chw());
        boolean anyDiffers = false;
        for (int seed = 0; seed < 5 && !anyDiffers; seed++) {
            anyDiffers = !Arrays.equals(a.chw(), aug.apply(s, new Random(seed)).chw());
        }
        assertTrue(anyDiffers);
    }

    @Test
    void zoomMovesPixelsAndBoxesTogether() {
        // A white square on black at pixels [10, 20) x [10, 20), zoomed x2 about (10, 10).
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(W, H,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 10; y < 20; y++) {
            for (int x = 10; x < 20; x++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        Sample s = Preprocess.sample(img, List.of(obj(0, 10, 10, 20, 20)), W, H);
        Sample z = Augment.zoom(s, 2.0, 10, 10, 0.4, 2);
        assertEquals(new Box(10, 10, 30, 30), z.objects().get(0).box());
        assertFalse(z.objects().get(0).truncated());
        float white = (1 - Preprocess.mean(0)) / Preprocess.std(0);
        float black = -Preprocess.mean(0) / Preprocess.std(0);
        assertEquals(white, z.chw()[11 * W + 11], 1e-4);
        assertEquals(white, z.chw()[28 * W + 28], 1e-4);
        assertEquals(black, z.chw()[31 * W + 31], 1e-4);
        assertEquals(black, z.chw()[15 * W + 8], 1e-4);

        Sample out = Augment.zoom(s, 0.5, 32, 24, 0.4, 2);
        assertEquals(new Box(21, 17, 26, 22), out.objects().get(0).box());
        assertEquals(white, out.chw()[19 * W + 23], 1e-4); // inside the moved box
        assertEquals(black, out.chw()[19 * W + 27], 1e-4); // right of it
    }

    @Test
    void zoomOutPadsWithTheNormalisedMean() {
        Sample s = sample(List.of());
        // Half size about the top-left corner: output pixel (x, y) is the mean of the input's 2x2
        // block at (2x, 2y); everything right of 32 or below 24 is padding.
        Sample z = Augment.zoom(s, 0.5, 0, 0, 0.4, 2);
        int plane = W * H;
        float[] in = s.chw();
        for (int c = 0; c < 3; c++) {
            int o = c * plane;
            for (int[] p : new int[][] {{0, 0}, {31, 23}, {10, 5}}) {
                int x = 2 * p[0];
                int y = 2 * p[1];
                float mean = (in[o + y * W + x] + in[o + y * W + x + 1] + in[o + (y + 1) * W + x]
                        + in[o + (y + 1) * W + x + 1]) / 4;
                assertEquals(mean, z.chw()[o + p[1] * W + p[0]], 1e-5);
            }
            assertEquals(0f, z.chw()[o + 0 * W + 32]);
            assertEquals(0f, z.chw()[o + 24 * W + 0]);
            assertEquals(0f, z.chw()[o + (H - 1) * W + (W - 1)]);
        }
    }

    @Test
    void zoomInClipsAndDropsMostlyHiddenOrTinyObjects() {
        Sample s = sample(List.of(
                obj(0, 0, 0, 10, 10),    // near the corner: leaves the view
                obj(1, 26, 20, 38, 28),  // central: kept whole
                obj(2, 50, 20, 64, 30),  // right edge: partly cut
                obj(3, 31, 31, 32, 32))); // 1 px: still under 2 px after x1.25
        Sample z = Augment.zoom(s, 1.25, 32, 24, 0.4, 2);
        List<Integer> kept = z.objects().stream().map(VocObject::classId).toList();
        assertEquals(List.of(1, 2), kept);
        VocObject cut = z.objects().get(1);
        assertEquals(W, cut.box().x2(), 0f);
        assertTrue(cut.truncated());
        assertEquals(new Box(24.5f, 19f, 39.5f, 29f), z.objects().get(0).box());

        // A stricter visibility threshold drops the cut object too.
        assertEquals(List.of(1), Augment.zoom(s, 1.25, 32, 24, 0.99, 2).objects().stream()
                .map(VocObject::classId).toList());
    }

    @Test
    void randomZoomKeepsEveryBoxInsideTheImage() {
        Augment aug = new Augment(AugmentConfig.DEFAULT);
        Sample s = sample(List.of(obj(0, 0, 0, 30, 30), obj(1, 40, 5, 64, 48), obj(2, 20, 20, 28, 27)));
        for (int seed = 0; seed < 200; seed++) {
            Sample out = aug.apply(s, new Random(seed));
            for (VocObject o : out.objects()) {
                Box b = o.box();
                assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= W && b.y2() <= H, "seed " + seed + ": " + b);
                assertTrue(b.width() >= 2 && b.height() >= 2, "seed " + seed + ": " + b);
            }
        }
    }

    @Test
    void colourJitterWorksInPixelSpace() {
        Sample s = sample(List.of());
        Sample same = Augment.colourJitter(s, 1, 1, 1);
        for (int i = 0; i < s.chw().length; i++) {
            assertEquals(s.chw()[i], same.chw()[i], 1e-4);
        }
        // Brightness 1.2 on a mid-grey pixel: 0.5 -> 0.6 in [0, 1] pixel units, in every channel.
        Sample grey = Preprocess.sample(flat(0x808080), List.of(), 4, 4);
        Sample bright = Augment.colourJitter(grey, 1.2, 1, 1);
        for (int c = 0; c < 3; c++) {
            float pixel = bright.chw()[c * 16] * Preprocess.std(c) + Preprocess.mean(c);
            assertEquals(128 / 255f * 1.2f, pixel, 1e-5);
        }
        // Saturation 0 turns a colour grey; contrast 0 flattens the image to its mean grey.
        Sample red = Preprocess.sample(flat(0xC83214), List.of(), 4, 4);
        Sample desat = Augment.colourJitter(red, 1, 1, 0);
        float r = desat.chw()[0] * Preprocess.std(0) + Preprocess.mean(0);
        float g = desat.chw()[16] * Preprocess.std(1) + Preprocess.mean(1);
        float b = desat.chw()[32] * Preprocess.std(2) + Preprocess.mean(2);
        assertEquals(r, g, 1e-5);
        assertEquals(g, b, 1e-5);
        Sample flatC = Augment.colourJitter(s, 1, 0, 1);
        float first = flatC.chw()[0] * Preprocess.std(0) + Preprocess.mean(0);
        for (int i = 0; i < W * H; i++) {
            assertEquals(first, flatC.chw()[i] * Preprocess.std(0) + Preprocess.mean(0), 1e-5);
        }
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(1.5, 1, 1, 0, 0, 0, 0.4, 2));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(0.5, 1.3, 1.2, 0, 0, 0, 0.4, 2));
        assertThrows(IllegalArgumentException.class, () -> new AugmentConfig(0.5, 1, 1, 1.0, 0, 0, 0.4, 2));
        assertEquals(0.75, AugmentConfig.DEFAULT.minZoom());
        assertEquals(1.25, AugmentConfig.DEFAULT.maxZoom());
    }

    static java.awt.image.BufferedImage flat(int rgb) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(4, 4,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }
}
