package org.diredi.vision.data;

import org.diredi.vision.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.image.Images;

/**
 * Writes a dataset in the Pascal VOC layout that {@link VocDataset#load} reads: JPEG images
 * (quality 95), one XML annotation per image with 1-based inclusive integer corners, and
 * {@code ImageSets/Main/<split>.txt}. Every file is written under a temporary name and moved into
 * place, and the image before its annotation, so a reader never sees a half-written file.
 * Thread-safe for distinct ids.
 */
public final class VocWriter {

    public static final float JPEG_QUALITY = 0.95f;

    private final Path root;
    private final ClassList classes;
    private final String folder;

    /** A writer whose XML {@code <folder>} is the root directory's name. */
    public VocWriter(Path root, ClassList classes) {
        this(root, classes, folderName(root));
    }

    /**
     * @param folder the XML {@code <folder>} value, the dataset's name in VOC (e.g. VOC2007); a
     *               fixed name keeps annotations byte-identical wherever they are written
     */
    public VocWriter(Path root, ClassList classes, String folder) {
        this.root = root;
        this.classes = classes;
        this.folder = folder;
    }

    private static String folderName(Path root) {
        Path name = root.toAbsolutePath().normalize().getFileName();
        return name == null ? "" : name.toString();
    }

    public Path root() {
        return root;
    }

    public Path annotationPath(String id) {
        return root.resolve("Annotations").resolve(id + ".xml");
    }

    public Path imagePath(String id) {
        return root.resolve("JPEGImages").resolve(id + ".jpg");
    }

    /**
     * Writes {@code JPEGImages/<id>.jpg} and {@code Annotations/<id>.xml}. Boxes are continuous
     * pixel corners; they are rounded to the nearest pixel edge and clipped to the image.
     *
     * @return the image as {@link VocDataset#load} would read it back (rounded boxes)
     */
    public VocImage write(String id, BufferedImage image, List<VocObject> objects) {
        checkId(id);
        int w = image.getWidth();
        int h = image.getHeight();
        AtomicFiles.bytes(imagePath(id), Images.jpegBytes(image, JPEG_QUALITY));
        AtomicFiles.string(annotationPath(id), annotationXml(id + ".jpg", w, h, objects));
        return readBack(id, imagePath(id), w, h, objects);
    }

    /** The image as {@link VocDataset#load} reads it back: boxes rounded as {@link #corners} writes them. */
    private static VocImage readBack(String id, Path image, int w, int h, List<VocObject> objects) {
        List<VocObject> rounded = objects.stream()
                .map(o -> new VocObject(o.classId(), rounded(o.box(), w, h), o.difficult(), o.truncated()))
                .toList();
        return new VocImage(id, image, w, h, rounded);
    }

    /**
     * Copies the image file of {@code image} as it is (no re-encoding, its own extension) to
     * {@code JPEGImages/<id>.<ext>} and writes {@code Annotations/<id>.xml} naming it.
     *
     * @return the image as {@link VocDataset#load} would read it back (rounded boxes)
     */
    public VocImage copy(String id, VocImage image) {
        checkId(id);
        String file = id + ImageIds.extension(image.imagePath());
        Path target = root.resolve("JPEGImages").resolve(file);
        try {
            AtomicFiles.write(target, out -> Files.copy(image.imagePath(), out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + image.imagePath() + " to " + target + ": " + e.getMessage(), e);
        }
        int w = image.width();
        int h = image.height();
        AtomicFiles.string(annotationPath(id), annotationXml(file, w, h, image.objects()));
        return readBack(id, target, w, h, image.objects());
    }

    /** Writes {@code ImageSets/Main/<split>.txt}, one id per line. */
    public void writeSplit(String split, List<String> ids) {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("split '" + split + "' has no images");
        }
        ids.forEach(VocWriter::checkId);
        AtomicFiles.string(root.resolve("ImageSets").resolve("Main").resolve(split + ".txt"),
                String.join("\n", ids) + "\n");
    }

    /** The VOC XML for one image; deterministic bytes for the same input. */
    public String annotationXml(String filename, int width, int height, List<VocObject> objects) {
        StringBuilder sb = new StringBuilder(256 + 256 * objects.size());
        sb.append("<annotation>\n");
        sb.append("\t<folder>").append(escape(folder)).append("</folder>\n");
        sb.append("\t<filename>").append(escape(filename)).append("</filename>\n");
        sb.append("\t<size>\n");
        sb.append("\t\t<width>").append(width).append("</width>\n");
        sb.append("\t\t<height>").append(height).append("</height>\n");
        sb.append("\t\t<depth>3</depth>\n");
        sb.append("\t</size>\n");
        sb.append("\t<segmented>0</segmented>\n");
        for (VocObject o : objects) {
            int[] c = corners(o.box(), width, height);
            sb.append("\t<object>\n");
            sb.append("\t\t<name>").append(escape(classes.name(o.classId()))).append("</name>\n");
            sb.append("\t\t<pose>Unspecified</pose>\n");
            sb.append("\t\t<truncated>").append(o.truncated() ? 1 : 0).append("</truncated>\n");
            sb.append("\t\t<difficult>").append(o.difficult() ? 1 : 0).append("</difficult>\n");
            sb.append("\t\t<bndbox>\n");
            sb.append("\t\t\t<xmin>").append(c[0]).append("</xmin>\n");
            sb.append("\t\t\t<ymin>").append(c[1]).append("</ymin>\n");
            sb.append("\t\t\t<xmax>").append(c[2]).append("</xmax>\n");
            sb.append("\t\t\t<ymax>").append(c[3]).append("</ymax>\n");
            sb.append("\t\t</bndbox>\n");
            sb.append("\t</object>\n");
        }
        sb.append("</annotation>\n");
        return sb.toString();
    }

    /** 1-based inclusive corners {xmin, ymin, xmax, ymax}, clipped, at least one pixel. */
    static int[] corners(Box b, int width, int height) {
        int xmin = clamp(Math.round(b.x1()) + 1, 1, width);
        int ymin = clamp(Math.round(b.y1()) + 1, 1, height);
        int xmax = clamp(Math.round(b.x2()), xmin, width);
        int ymax = clamp(Math.round(b.y2()), ymin, height);
        return new int[] {xmin, ymin, xmax, ymax};
    }

    /** The box {@link VocDataset} reads back after {@link #corners}. */
    static Box rounded(Box b, int width, int height) {
        int[] c = corners(b, width, height);
        return new Box(c[0] - 1, c[1] - 1, c[2], c[3]);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static void checkId(String id) {
        if (id.isBlank() || id.chars().anyMatch(Character::isWhitespace) || id.contains("/")
                || id.contains("\\") || id.equals(".") || id.equals("..")) {
            throw new IllegalArgumentException("invalid VOC image id '" + id + "'");
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
