package org.diredi.vision.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;

/**
 * Writes the YOLO layout {@link YoloReader} (and Ultralytics) reads: {@code images/<id>.<ext>}, one
 * {@code labels/<id>.txt} per image (empty for an image without objects), one {@code <split>.txt}
 * list of {@code ./images/...} lines per split (a list rather than a folder per split, so an image in
 * several splits is stored once) and {@code data.yaml} with the split lists and {@code names}.
 * Box values have six decimals ({@link #DECIMALS}): a box is off by at most {@code 1e-6} of the
 * image side.
 */
final class YoloWriter {

    /** Decimals of the normalised {@code cx cy w h}, as Ultralytics writes them. */
    static final int DECIMALS = 6;

    private YoloWriter() {}

    static void write(Path dir, String name, ClassList classes, DatasetConverter.Layout layout) throws IOException {
        Map<String, String> files = DatasetConverter.copyImages(dir.resolve("images"), layout);
        Path labels = Files.createDirectories(dir.resolve("labels"));
        for (VocImage img : layout.images()) {
            StringBuilder sb = new StringBuilder();
            for (VocObject o : img.objects()) {
                sb.append(line(o, img.width(), img.height())).append('\n');
            }
            Files.writeString(labels.resolve(img.id() + ".txt"), sb, StandardCharsets.UTF_8);
        }
        StringBuilder yaml = new StringBuilder("# ").append(name).append(": YOLO layout, images/ and labels/ shared by")
                .append(" the split lists\n");
        for (Map.Entry<String, List<String>> split : layout.splits().entrySet()) {
            String list = split.getKey() + ".txt";
            StringBuilder sb = new StringBuilder();
            split.getValue().forEach(id -> sb.append("./images/").append(files.get(id)).append('\n'));
            Files.writeString(dir.resolve(list), sb, StandardCharsets.UTF_8);
            yaml.append(key(split.getKey())).append(": ").append(key(list)).append('\n');
        }
        yaml.append("nc: ").append(classes.size()).append("\nnames:\n");
        for (int c = 0; c < classes.size(); c++) {
            yaml.append("  ").append(c).append(": ").append(ConfigFiles.JSON.writeValueAsString(classes.name(c)))
                    .append('\n');
        }
        Files.writeString(dir.resolve("data.yaml"), yaml, StandardCharsets.UTF_8);
    }

    /** {@code class cx cy w h}, normalised to the image size. */
    static String line(VocObject o, int width, int height) {
        Box b = o.box();
        String f = "%." + DECIMALS + "f";
        return String.format(Locale.ROOT, "%d " + f + " " + f + " " + f + " " + f, o.classId(),
                ((double) b.x1() + b.x2()) / 2 / width, ((double) b.y1() + b.y2()) / 2 / height,
                ((double) b.x2() - b.x1()) / width, ((double) b.y2() - b.y1()) / height);
    }

    /** A YAML scalar: plain when it is a simple name, else double-quoted. */
    private static String key(String s) throws IOException {
        return s.matches("[A-Za-z0-9_][A-Za-z0-9_./-]*") ? s : ConfigFiles.JSON.writeValueAsString(s);
    }
}
