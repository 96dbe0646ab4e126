package org.diredi.vision.data;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Image ids of datasets that name images by file (COCO, YOLO): the file name without its extension,
 * made a valid VOC id (no whitespace, no slashes), so detections, reports and a VOC export can key
 * on it.
 */
final class ImageIds {

    private ImageIds() {}

    /** {@code train/0001 a.jpg} becomes {@code train_0001_a}. */
    static String of(String relativeName) {
        String n = relativeName.replace('\\', '/');
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        int dot = n.lastIndexOf('.');
        if (dot > n.lastIndexOf('/') + 1) {
            n = n.substring(0, dot);
        }
        StringBuilder sb = new StringBuilder(n.length());
        for (int i = 0; i < n.length(); i++) {
            char ch = n.charAt(i);
            sb.append(ch == '/' || Character.isWhitespace(ch) ? '_' : ch);
        }
        String id = sb.toString();
        return id.isEmpty() || id.equals(".") || id.equals("..") ? "_" + id : id;
    }

    /** The extension of {@code file} with its dot ({@code .jpg}), or "" when it has none. */
    static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(dot) : "";
    }

    /**
     * Ids for files under {@code base}: each file's own name when the names are unique, else (for the
     * files whose names repeat) the path below {@code base}.
     */
    static List<String> forFiles(List<Path> files, Path base) {
        Map<String, Integer> count = new HashMap<>();
        for (Path f : files) {
            count.merge(of(f.getFileName().toString()), 1, Integer::sum);
        }
        return files.stream().map(f -> {
            String own = of(f.getFileName().toString());
            return count.get(own) == 1 ? own : of(relative(base, f));
        }).toList();
    }

    private static String relative(Path base, Path f) {
        Path a = f.toAbsolutePath().normalize();
        Path b = base.toAbsolutePath().normalize();
        return a.startsWith(b) ? b.relativize(a).toString() : a.toString().substring(1);
    }
}
