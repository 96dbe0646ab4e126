package org.diredi.vision.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.diredi.vision.data.DataException;

/**
 * Image file I/O with errors that name the file: ImageIO alone returns {@code null} for unknown
 * formats and silently grey-fills truncated JPEGs, which would poison training data unnoticed.
 */
public final class Images {

    /** Width and height of an image, read from its header. */
    public record Size(int width, int height) {}

    private Images() {}

    /** Decodes an image file to {@link BufferedImage#TYPE_INT_RGB}. */
    public static BufferedImage read(Path file) {
        return read(file, -1, -1);
    }

    /**
     * Decodes an image file to {@link BufferedImage#TYPE_INT_RGB} and checks that its size is
     * {@code expectedWidth x expectedHeight} (a negative value skips the check).
     */
    public static BufferedImage read(Path file, int expectedWidth, int expectedHeight) {
        requireFile(file);
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            img = decode(in, file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException de) {
                throw de;
            }
            throw new DataException(file, "corrupt or unreadable image: " + e.getMessage(), e);
        }
        if (expectedWidth >= 0 && expectedHeight >= 0
                && (img.getWidth() != expectedWidth || img.getHeight() != expectedHeight)) {
            throw new DataException(file, "image is " + img.getWidth() + "x" + img.getHeight()
                    + " but its annotation says " + expectedWidth + "x" + expectedHeight);
        }
        return toRgb(img);
    }

    /**
     * Decodes an image from a stream (e.g. a classpath resource) and closes it; {@code source}
     * names it in errors.
     */
    public static BufferedImage read(InputStream stream, Path source) {
        if (stream == null) {
            throw new DataException(source, "image not found");
        }
        try (stream; ImageInputStream in = ImageIO.createImageInputStream(stream)) {
            return toRgb(decode(in, source));
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException de) {
                throw de;
            }
            throw new DataException(source, "corrupt or unreadable image: " + e.getMessage(), e);
        }
    }

    /** Reads only the header: cheap enough to validate thousands of images at dataset load. */
    public static Size readSize(Path file) {
        requireFile(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = readerFor(in, file);
            try {
                reader.setInput(in, true, true);
                return new Size(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException de) {
                throw de;
            }
            throw new DataException(file, "corrupt or unreadable image header: " + e.getMessage(), e);
        }
    }

    /** The image itself if already TYPE_INT_RGB, else an RGB copy (alpha dropped, grey expanded). */
    public static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb;
        if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Java tags decoded grey PNG/JPEG as *linear* grey, so getRGB would gamma-brighten
            // them (200 -> 229). Files store display values, as every other decoder assumes:
            // copy the raw sample into R, G and B instead.
            Raster raster = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            rgb = new int[w * h];
            int max = (1 << bits) - 1;
            for (int i = 0; i < grey.length; i++) {
                int v = bits == 8 ? grey[i] : (grey[i] * 255 + max / 2) / max;
                rgb[i] = (v << 16) | (v << 8) | v;
            }
        } else {
            rgb = img.getRGB(0, 0, w, h, null, 0, w);
        }
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    /** Encodes as baseline JPEG at {@code quality} in (0, 1] (RGB; any alpha is dropped). */
    public static byte[] jpegBytes(BufferedImage img, float quality) {
        if (!(quality > 0f && quality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], got " + quality);
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JDK has no JPEG ImageIO writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(toRgb(img), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Encodes as PNG (lossless; for reports and debugging). */
    public static byte[] pngBytes(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try {
            if (!ImageIO.write(img, "png", bytes)) {
                throw new IllegalStateException("this JDK has no PNG ImageIO writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        }
        return bytes.toByteArray();
    }

    private static void requireFile(Path file) {
        if (!Files.exists(file)) {
            throw new DataException(file, "image file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new DataException(file, "image path is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new DataException(file, "image file is not readable (permissions)");
        }
    }

    private static ImageReader readerFor(ImageInputStream in, Path file) {
        if (in == null) {
            throw new DataException(file, "cannot open image stream");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new DataException(file, "corrupt image or unknown image format (no ImageIO decoder"
                    + " recognises its bytes)");
        }
        return readers.next();
    }

    private static BufferedImage decode(ImageInputStream in, Path file) throws IOException {
        ImageReader reader = readerFor(in, file);
        List<String> fatal = new ArrayList<>();
        try {
            reader.setInput(in, true, true);
            // The JPEG decoder only warns on truncation and fills the rest with grey; treat that as
            // corruption but keep tolerating harmless warnings (e.g. extraneous bytes).
            reader.addIIOReadWarningListener((source, warning) -> {
                String w = warning.toLowerCase(Locale.ROOT);
                if (w.contains("truncated") || w.contains("premature end")) {
                    fatal.add(warning);
                }
            });
            BufferedImage img = reader.read(0);
            if (img == null) {
                throw new DataException(file, "corrupt image: decoder returned no image");
            }
            if (!fatal.isEmpty()) {
                throw new DataException(file, "corrupt image: " + String.join("; ", fatal));
            }
            return img;
        } finally {
            reader.dispose();
        }
    }
}
