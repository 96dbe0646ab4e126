package org.diredi.vision.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small images of a given size for dataset tests (the readers only check their headers). */
final class TestImages {

    private TestImages() {}

    /** Writes a {@code w x h} image at {@code file}, JPEG or PNG by its extension; returns the file. */
    static Path write(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 37) & 0xFF) << 16 | ((y * 53) & 0xFF) << 8 | ((x * y) & 0xFF));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        String format = file.toString().endsWith(".png") ? "png" : "jpg";
        ImageIO.write(img, format, file.toFile());
        return file;
    }
}
