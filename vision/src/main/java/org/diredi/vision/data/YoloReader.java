package org.diredi.vision.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.image.Images;

/**
 * One split of a YOLO dataset (the Ultralytics / darknet layout): {@code data.yaml} with {@code names}
 * (a list, or a map {@code 0: name}), an optional {@code path} (the root; relative to the YAML's
 * folder, which is the root when {@code path} is absent or does not exist) and one key per split
 * ({@code train}, {@code val}, {@code test}, ...) naming image folders or {@code .txt} lists of image
 * paths (a line starting {@code ./} is relative to the list's folder). The labels of
 * {@code .../images/.../x.jpg} are {@code .../labels/.../x.txt} (beside the image when its path has no
 * {@code images} folder), one {@code class cx cy w h} line per object, normalised to the image's size;
 * an image without a label file shows no object. Class names are matched to the class list with
 * {@link ClassList#lookup}.
 */
final class YoloReader {

    /** The YAML files that make a folder a YOLO dataset, in the order they are looked for. */
    static final List<String> YAML_NAMES = List.of("data.yaml", "dataset.yaml", "data.yml", "dataset.yml");

    /** Keys of data.yaml that are not splits. */
    private static final Set<String> NOT_SPLITS = Set.of("path", "names", "nc", "download", "yaml_file");

    private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

    private YoloReader() {}

    /** The parsed data.yaml: the root folder, the class names by YOLO index, and each split's entries. */
    record Spec(Path yaml, Path root, List<String> names, Map<String, List<String>> splits) {}

    /** The YAML file of {@code path} (itself when it is a file), or null when a folder has none. */
    static Path yamlFile(Path path) {
        if (Files.isRegularFile(path)) {
            return path;
        }
        return YAML_NAMES.stream().map(path::resolve).filter(Files::isRegularFile).findFirst().orElse(null);
    }

    static Spec spec(Path path) {
        Path yaml = yamlFile(path);
        if (yaml == null) {
            throw new DataException(path, "no data.yaml (YOLO layout expected)");
        }
        JsonNode doc = readYaml(yaml);
        Map<String, List<String>> splits = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> entries = texts(e.getValue());
            if (!NOT_SPLITS.contains(e.getKey()) && entries != null) {
                splits.put(e.getKey(), entries);
            }
        }
        return new Spec(yaml, root(yaml, doc), names(yaml, doc), splits);
    }

    static ClassList classes(Path path) {
        Spec s = spec(path);
        try {
            return new ClassList(s.names());
        } catch (IllegalArgumentException e) {
            throw new DataException(s.yaml(), "names: " + e.getMessage());
        }
    }

    static VocDataset load(Path path, String split, ClassList classes) {
        Spec s = spec(path);
        List<Path> files = images(s, split);
        List<String> ids = ImageIds.forFiles(files, s.root());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (!seen.add(ids.get(i))) {
                throw new DataException(s.yaml(), split + ": image " + files.get(i) + " is listed twice");
            }
        }
        int[] classIds = s.names().stream().mapToInt(classes::lookup).toArray();
        List<VocImage> images = ParallelLoad.map(IntStream.range(0, files.size()).boxed().toList(), i -> {
            Path f = files.get(i);
            Images.Size size = Images.readSize(f);
            List<VocObject> objects = labels(labelFile(f), size, new Names(s, classIds, classes));
            return new VocImage(ids.get(i), f, size.width(), size.height(), objects);
        });
        return VocDataset.of(path, split, classes, images);
    }

    /** Where the labels of {@code image} are: the last {@code images} folder of its path becomes {@code labels}. */
    static Path labelFile(Path image) {
        String s = image.toAbsolutePath().normalize().toString();
        String from = File.separator + "images" + File.separator;
        int k = s.lastIndexOf(from);
        String t = k < 0 ? s : s.substring(0, k) + File.separator + "labels" + File.separator + s.substring(k + from.length());
        int dot = t.lastIndexOf('.');
        return Path.of((dot > t.lastIndexOf(File.separatorChar) ? t.substring(0, dot) : t) + ".txt");
    }

    /** The YOLO class names, the class list, and the class id of each YOLO index (-1 when not in the list). */
    private record Names(Spec spec, int[] classIds, ClassList classes) {}

    private static List<VocObject> labels(Path txt, Images.Size size, Names names) {
        if (!Files.exists(txt)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(txt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(txt, "cannot read labels: " + e.getMessage(), e);
        }
        List<VocObject> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty()) {
                out.add(label(txt, "line " + (i + 1), line, size, names));
            }
        }
        return out;
    }

    private static VocObject label(Path txt, String where, String line, Images.Size size, Names names) {
        String[] t = line.split("\\s+");
        if (t.length != 5) {
            throw new DataException(txt, where + ": expected 'class cx cy w h' (5 values), got " + t.length
                    + (t.length > 5 ? " (segmentation polygons are not read)" : ""));
        }
        double[] v = new double[5];
        for (int k = 0; k < 5; k++) {
            try {
                v[k] = Double.parseDouble(t[k]);
            } catch (NumberFormatException e) {
                throw new DataException(txt, where + ": '" + t[k] + "' is not a number");
            }
        }
        int n = names.spec().names().size();
        if (v[0] != Math.rint(v[0]) || v[0] < 0 || v[0] >= n) {
            throw new DataException(txt, where + ": class " + t[0] + " is not one of the " + n + " names (0.." + (n - 1)
                    + ") of " + names.spec().yaml());
        }
        int yoloClass = (int) v[0];
        int classId = names.classIds()[yoloClass];
        if (classId < 0) {
            throw new DataException(txt, where + ": class " + yoloClass + " ('" + names.spec().names().get(yoloClass)
                    + "') is not in the class list (known classes: " + String.join(", ", names.classes().names()) + ")");
        }
        for (int k = 1; k < 5; k++) {
            if (!(v[k] >= 0 && v[k] <= 1) || k >= 3 && v[k] == 0) {
                throw new DataException(txt, where + ": cx cy w h must be normalised to 0..1 (w, h above 0), got '"
                        + line + "'");
            }
        }
        // Corners may stick out by rounding: clipped, as Ultralytics does.
        double w = size.width();
        double h = size.height();
        Box box = new Box((float) (Math.max(0, v[1] - v[3] / 2) * w), (float) (Math.max(0, v[2] - v[4] / 2) * h),
                (float) (Math.min(1, v[1] + v[3] / 2) * w), (float) (Math.min(1, v[2] + v[4] / 2) * h));
        return new VocObject(classId, box, false, false);
    }

    // ---- data.yaml -----------------------------------------------------------------------------

    private static JsonNode readYaml(Path yaml) {
        JsonNode doc;
        try {
            doc = ConfigFiles.YAML.readTree(yaml.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new DataException(yaml, "malformed YAML" + (l == null ? "" : " at line " + l.getLineNr()) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DataException(yaml, "cannot read: " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject()) {
            throw new DataException(yaml, "not a YOLO data.yaml: expected keys names, train, val, ...");
        }
        return doc;
    }

    private static Path root(Path yaml, JsonNode doc) {
        Path dir = yaml.toAbsolutePath().normalize().getParent();
        JsonNode p = doc.get("path");
        if (p == null || !p.isTextual() || p.asText().isBlank()) {
            return dir;
        }
        Path root = dir.resolve(path(yaml, "path", p.asText())).normalize();
        return Files.isDirectory(root) ? root : dir;
    }

    private static List<String> names(Path yaml, JsonNode doc) {
        JsonNode n = doc.get("names");
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(v -> out.add(v.asText().strip()));
        } else if (n != null && n.isObject()) {
            Map<Integer, String> byIndex = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    byIndex.put(Integer.parseInt(e.getKey().strip()), e.getValue().asText().strip());
                } catch (NumberFormatException ex) {
                    throw new DataException(yaml, "names: '" + e.getKey() + "' is not a class index (0, 1, ...)");
                }
            }
            for (int i = 0; i < byIndex.size(); i++) {
                if (!byIndex.containsKey(i)) {
                    throw new DataException(yaml, "names: the class indices must be 0.." + (byIndex.size() - 1)
                            + ", " + i + " is missing");
                }
                out.add(byIndex.get(i));
            }
        } else {
            throw new DataException(yaml, "no 'names' (the class names: a list, or a map 0: name)");
        }
        JsonNode nc = doc.get("nc");
        if (nc != null && !nc.isNull() && nc.asInt(-1) != out.size()) {
            throw new DataException(yaml, "nc is " + nc + " but names has " + out.size() + " classes");
        }
        return out;
    }

    /** A split's value as a list of entries, or null when the key does not hold paths. */
    private static List<String> texts(JsonNode v) {
        if (v.isTextual()) {
            return List.of(v.asText());
        }
        if (!v.isArray() || v.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                return null;
            }
            out.add(e.asText());
        }
        return out;
    }

    // ---- image lists ---------------------------------------------------------------------------

    private static List<Path> images(Spec s, String split) {
        List<String> entries = s.splits().get(split);
        if (entries == null) {
            throw new DataException(s.yaml(), "no split '" + split + "' (its splits: "
                    + String.join(", ", s.splits().keySet()) + ")");
        }
        List<Path> out = new ArrayList<>();
        for (String e : entries) {
            Path p = s.root().resolve(path(s.yaml(), split, e)).normalize();
            if (!Files.exists(p) && e.startsWith("../")) {
                p = s.root().resolve(e.substring(3)).normalize(); // Roboflow writes ../train/images beside data.yaml
            }
            if (Files.isDirectory(p)) {
                out.addAll(folder(p));
            } else if (Files.isRegularFile(p) && p.toString().toLowerCase(Locale.ROOT).endsWith(".txt")) {
                out.addAll(listFile(p, s.root()));
            } else if (Files.isRegularFile(p) && isImage(p)) {
                out.add(p);
            } else {
                throw new DataException(s.yaml(), split + ": '" + e + "' (" + p + ") is neither a folder of images nor a"
                        + " .txt list of images");
            }
        }
        if (out.isEmpty()) {
            throw new DataException(s.yaml(), split + ": no images in " + entries);
        }
        return out;
    }

    private static List<Path> folder(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> Files.isRegularFile(f) && isImage(f)).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir, "cannot list images: " + e.getMessage(), e);
        }
    }

    private static List<Path> listFile(Path txt, Path root) {
        List<String> lines;
        try {
            lines = Files.readAllLines(txt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(txt, "cannot read image list: " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>();
        Path dir = txt.toAbsolutePath().getParent();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Path own = path(txt, "line " + (i + 1), l);
            Path p = l.startsWith("./") || !Files.exists(root.resolve(own)) ? dir.resolve(own) : root.resolve(own);
            if (!Files.isRegularFile(p)) {
                throw new DataException(txt, "line " + (i + 1) + ": image not found: " + p.normalize());
            }
            out.add(p.normalize());
        }
        return out;
    }

    private static Path path(Path file, String where, String text) {
        try {
            return Path.of(text.strip());
        } catch (InvalidPathException e) {
            throw new DataException(file, where + ": '" + text + "' is not a valid path");
        }
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
