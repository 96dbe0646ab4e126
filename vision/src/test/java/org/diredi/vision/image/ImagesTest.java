package org.diredi.vision.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.diredi.vision.data.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {

    @TempDir
    Path dir;

    @Test
    void readsGreyPngAsRgbAndChecksSize() throws IOException {
        BufferedImage grey = new BufferedImage(7, 5, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 2, 0, 200);
        Path f = dir.resolve("g.png");
        Files.write(f, Images.pngBytes(grey));
        BufferedImage img = Images.read(f);
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertEquals(0xC8C8C8, img.getRGB(3, 2) & 0xFFFFFF);
        assertEquals(new Images.Size(7, 5), Images.readSize(f));
        DataException e = assertThrows(DataException.class, () -> Images.read(f, 7, 6));
        assertTrue(e.getMessage().contains("g.png: image is 7x5 but its annotation says 7x6"), e.getMessage());
    }

    @Test
    void missingFile() {
        DataException e = assertThrows(DataException.class, () -> Images.read(dir.resolve("nope.jpg")));
        assertTrue(e.getMessage().endsWith("nope.jpg: image file not found"), e.getMessage());
    }

    @Test
    void garbageBytes() throws IOException {
        Path f = dir.resolve("bad.jpg");
        Files.writeString(f, "definitely not an image");
        for (DataException e : new DataException[] {
                assertThrows(DataException.class, () -> Images.read(f)),
                assertThrows(DataException.class, () -> Images.readSize(f))}) {
            assertTrue(e.getMessage().contains("bad.jpg") && e.getMessage().contains("corrupt"), e.getMessage());
        }
    }

    @Test
    void truncatedJpegIsCorruptNotGreyFilled() throws IOException {
        Random rnd = new Random(5);
        BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        byte[] jpeg = Images.jpegBytes(img, 0.95f);
        Path ok = dir.resolve("ok.jpg");
        Files.write(ok, jpeg);
        assertEquals(128, Images.read(ok).getWidth());
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        DataException e = assertThrows(DataException.class, () -> Images.read(cut));
        assertTrue(e.getMessage().contains("cut.jpg: corrupt image"), e.getMessage());
    }

    @Test
    void jpegQualityIsValidated() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        assertThrows(IllegalArgumentException.class, () -> Images.jpegBytes(img, 0f));
        assertThrows(IllegalArgumentException.class, () -> Images.jpegBytes(img, 1.5f));
    }
}
