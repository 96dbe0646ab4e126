package org.diredi.vision.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.image.Images;

/**
 * One split of a COCO instances dataset: one JSON file with {@code images} (id, file_name, width,
 * height), {@code annotations} (image_id, category_id, {@code bbox = [x, y, width, height]} in
 * pixels, iscrowd) and {@code categories} (id, name).
 *
 * <p>Where the split files are, for a folder: {@code annotations/instances_SPLIT.json} (or
 * {@code annotations/SPLIT.json}, or the same at the top beside {@code images/} or {@code SPLIT/}),
 * else one JSON in each split folder ({@code SPLIT/_annotations.coco.json}, as Roboflow exports). A
 * JSON file given itself is one split, {@value VocDataset#ALL}. An image's {@code file_name} is looked for beside the JSON, then in
 * {@code ROOT/SPLIT/}, {@code ROOT/images/SPLIT/}, {@code ROOT/images/} and {@code ROOT/} (for a file
 * given itself, SPLIT is its name: {@code val2017} for {@code instances_val2017.json}).
 *
 * <p>Crowd objects ({@code iscrowd: 1}) become {@link VocObject#difficult()} ones: evaluation neither
 * counts them as ground truth nor penalises detections on them, as it does VOC's difficult
 * objects. Category names are matched to the class list with {@link ClassList#lookup}.
 */
final class CocoReader {

    /** Pixels a box may stick out of its image (exporters round) before it is an error; it is clipped. */
    static final double EDGE_TOLERANCE = 1.0;

    private static final String INSTANCES = "instances_";

    private CocoReader() {}

    /** Split name to its JSON file, in name order; empty when {@code dir} holds no COCO annotations. */
    static Map<String, Path> splitFiles(Path dir) {
        Map<String, Path> out = new TreeMap<>();
        List<Path> jsons = jsonFiles(dir.resolve("annotations"));
        if (jsons.isEmpty()) {
            // At the top only files that look like splits: a run folder's eval.json is no dataset.
            jsons = jsonFiles(dir).stream().filter(f -> fileName(f).startsWith(INSTANCES)
                    || Files.isDirectory(dir.resolve("images")) || Files.isDirectory(dir.resolve(splitName(f)))).toList();
        }
        boolean instances = jsons.stream().anyMatch(f -> fileName(f).startsWith(INSTANCES));
        for (Path f : jsons) {
            String n = fileName(f);
            if (!instances || n.startsWith(INSTANCES)) {
                out.put(splitName(f), f);
            }
        }
        if (out.isEmpty()) {
            for (Path sub : list(dir, Files::isDirectory)) {
                List<Path> one = jsonFiles(sub);
                if (one.size() == 1) {
                    out.put(fileName(sub), one.get(0));
                }
            }
        }
        return out;
    }

    /** {@code instances_val2017.json} is the split {@code val2017}, {@code val.json} the split {@code val}. */
    private static String splitName(Path json) {
        String n = fileName(json);
        return n.substring(n.startsWith(INSTANCES) ? INSTANCES.length() : 0, n.length() - ".json".length());
    }

    static List<String> splits(Path path) {
        return Files.isRegularFile(path) ? List.of(VocDataset.ALL) : List.copyOf(splitFiles(path).keySet());
    }

    /** The JSON file of {@code split}. */
    static Path annotationFile(Path path, String split) {
        if (Files.isRegularFile(path)) {
            if (!VocDataset.ALL.equals(split)) {
                throw new DataException(path, "no split '" + split + "': a COCO .json file is one split, '"
                        + VocDataset.ALL + "'; ask for split '" + VocDataset.ALL + "', or give the folder that holds "
                        + "annotations/" + INSTANCES + split + ".json");
            }
            return path;
        }
        Map<String, Path> files = splitFiles(path);
        Path f = files.get(split);
        if (f == null) {
            throw new DataException(path, "no COCO split '" + split + "' (annotations/" + INSTANCES + split + ".json); "
                    + (files.isEmpty() ? "no annotation files found" : "its splits: " + String.join(", ", files.keySet())));
        }
        return f;
    }

    /**
     * The dataset's own label space: its categories in id order, for a folder those of its smallest split
     * file (the splits share them; COCO's train file is hundreds of MB).
     */
    static ClassList classes(Path path) {
        Path file = Files.isRegularFile(path) ? path : splitFiles(path).values().stream()
                .min(java.util.Comparator.comparingLong(CocoReader::size))
                .orElseThrow(() -> new DataException(path, "no COCO annotation files (annotations/*.json)"));
        try {
            return new ClassList(List.copyOf(categories(file, readJson(file)).values()));
        } catch (IllegalArgumentException e) {
            throw new DataException(file, "categories: " + e.getMessage());
        }
    }

    static VocDataset load(Path path, String split, ClassList classes) {
        Path file = annotationFile(path, split);
        JsonNode root = readJson(file);
        Map<Long, String> categories = categories(file, root);
        List<Entry> entries = entries(file, root);
        Map<Long, Integer> byId = indexById(file, entries);
        List<Path> bases = imageBases(path, file, split);
        List<Located> located = ParallelLoad.map(IntStream.range(0, entries.size()).boxed().toList(),
                i -> locate(file, i, entries.get(i), bases));
        List<List<VocObject>> objects = objects(file, root, byId, located, new Categories(file, categories, classes));
        List<VocImage> images = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Located l = located.get(i);
            images.add(new VocImage(entries.get(i).imageId(), l.path(), l.width(), l.height(), objects.get(i)));
        }
        return VocDataset.of(path, split, classes, images);
    }

    /** One {@code images} entry; width and height are 0 when the file does not give them. */
    private record Entry(long id, String fileName, String imageId, int width, int height) {}

    /** An entry's image file and its size as its header says. */
    private record Located(Path path, int width, int height) {}

    static JsonNode readJson(Path file) {
        JsonNode n;
        try {
            n = ConfigFiles.JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw new DataException(file, "malformed JSON" + (l == null ? "" : " at line " + l.getLineNr() + ", column "
                    + l.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new DataException(file, "not a COCO instances file: expected a JSON object with images, "
                    + "annotations and categories");
        }
        return n;
    }

    /** Category id to name, in id order. */
    private static Map<Long, String> categories(Path file, JsonNode root) {
        JsonNode cats = list(file, root, "categories", true);
        Map<Long, String> out = new TreeMap<>();
        for (int k = 0; k < cats.size(); k++) {
            String where = "categories[" + k + "]";
            JsonNode c = object(file, where, cats.get(k));
            long id = whole(file, where, c, "id");
            if (out.put(id, text(file, where, c, "name")) != null) {
                throw new DataException(file, where + ": category id " + id + " is given twice");
            }
        }
        return out;
    }

    private static List<Entry> entries(Path file, JsonNode root) {
        JsonNode imgs = list(file, root, "images", true);
        if (imgs.isEmpty()) {
            throw new DataException(file, "'images' is empty: the split has no image");
        }
        List<Entry> out = new ArrayList<>(imgs.size());
        for (int k = 0; k < imgs.size(); k++) {
            String where = "images[" + k + "]";
            JsonNode i = object(file, where, imgs.get(k));
            String name = text(file, where, i, "file_name");
            out.add(new Entry(whole(file, where, i, "id"), name, ImageIds.of(name), size(file, where, i, "width"),
                    size(file, where, i, "height")));
        }
        return out;
    }

    /** Image id to entry index; ids and file names must be unique. */
    private static Map<Long, Integer> indexById(Path file, List<Entry> entries) {
        Map<Long, Integer> byId = new HashMap<>();
        Map<String, Integer> byName = new HashMap<>();
        for (int k = 0; k < entries.size(); k++) {
            Entry e = entries.get(k);
            Integer before = byId.put(e.id(), k);
            if (before != null) {
                throw new DataException(file, "images[" + k + "]: image id " + e.id() + " is given twice (also images["
                        + before + "])");
            }
            before = byName.put(e.imageId(), k);
            if (before != null) {
                throw new DataException(file, "images[" + k + "]: file_name '" + e.fileName() + "' names the same image"
                        + " as images[" + before + "] ('" + entries.get(before).fileName() + "')");
            }
        }
        return byId;
    }

    private static List<Path> imageBases(Path path, Path file, String split) {
        Path dir = file.toAbsolutePath().normalize().getParent();
        Path root = Files.isDirectory(path) ? path.toAbsolutePath().normalize()
                : "annotations".equalsIgnoreCase(fileName(dir)) ? dir.getParent() : dir;
        Set<Path> bases = new LinkedHashSet<>();
        bases.add(dir);
        // A .json file given itself (the split 'all') still names its images' folder: instances_val2017 -> val2017/
        for (String name : VocDataset.ALL.equals(split) ? List.of(splitName(file)) : List.of(split)) {
            bases.add(root.resolve(name));
            bases.add(root.resolve("images").resolve(name));
        }
        bases.add(root.resolve("images"));
        bases.add(root);
        return List.copyOf(bases);
    }

    private static Located locate(Path file, int k, Entry e, List<Path> bases) {
        Path image = imageFile(file, "images[" + k + "]", e.fileName(), bases);
        Images.Size size = Images.readSize(image);
        if (e.width() > 0 && e.height() > 0 && (size.width() != e.width() || size.height() != e.height())) {
            throw new DataException(image, "image is " + size.width() + "x" + size.height() + " but " + file.getFileName()
                    + " images[" + k + "] says " + e.width() + "x" + e.height());
        }
        return new Located(image, size.width(), size.height());
    }

    private static Path imageFile(Path file, String where, String name, List<Path> bases) {
        Path own;
        try {
            own = Path.of(name);
        } catch (InvalidPathException ex) {
            throw new DataException(file, where + ": file_name '" + name + "' is not a valid path");
        }
        for (Path b : bases) {
            Path p = b.resolve(own).normalize();
            if (p.startsWith(b) && Files.isRegularFile(p)) {
                return p;
            }
        }
        for (Path b : bases) {
            Path p = b.resolve(own.getFileName());
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataException(file, where + ": image file '" + name + "' not found in " + bases);
    }

    private static List<List<VocObject>> objects(Path file, JsonNode root, Map<Long, Integer> byId,
            List<Located> images, Categories categories) {
        List<List<VocObject>> out = new ArrayList<>(images.size());
        images.forEach(i -> out.add(new ArrayList<>()));
        JsonNode anns = list(file, root, "annotations", false);
        for (int k = 0; k < anns.size(); k++) {
            JsonNode a = anns.get(k);
            String where = "annotations[" + k + "]" + (a != null && a.has("id") ? " (id " + a.get("id").asText() + ")" : "");
            object(file, where, a);
            long imageId = whole(file, where, a, "image_id");
            Integer m = byId.get(imageId);
            if (m == null) {
                throw new DataException(file, where + ": image_id " + imageId + " is not in 'images'");
            }
            int classId = categories.classId(where, whole(file, where, a, "category_id"));
            Located img = images.get(m);
            Box box = box(file, where, a.get("bbox"), img.width(), img.height());
            out.get(m).add(new VocObject(classId, box, flag(file, where, a, "iscrowd"), flag(file, where, a, "truncated")));
        }
        return out;
    }

    /** Category ids to class ids of the class list, looked up once each. */
    private static final class Categories {
        private final Path file;
        private final Map<Long, String> names;
        private final ClassList classes;
        private final Map<Long, Integer> cache = new HashMap<>();

        Categories(Path file, Map<Long, String> names, ClassList classes) {
            this.file = file;
            this.names = names;
            this.classes = classes;
        }

        int classId(String where, long category) {
            Integer cached = cache.get(category);
            if (cached != null) {
                return cached;
            }
            String name = names.get(category);
            if (name == null) {
                throw new DataException(file, where + ": category_id " + category + " is not in 'categories'");
            }
            int id = classes.lookup(name);
            if (id < 0) {
                throw new DataException(file, where + ": category '" + name + "' (id " + category + ") is not in the "
                        + "class list (known classes: " + String.join(", ", classes.names()) + ")");
            }
            cache.put(category, id);
            return id;
        }
    }

    /** {@code [x, y, width, height]} in pixels to corners, clipped to the image. */
    private static Box box(Path file, String where, JsonNode bbox, int width, int height) {
        if (bbox == null || !bbox.isArray() || bbox.size() != 4) {
            throw new DataException(file, where + ": bbox must be [x, y, width, height], got " + bbox);
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            v[i] = bbox.get(i).asDouble(Double.NaN);
            if (!bbox.get(i).isNumber() || !Double.isFinite(v[i])) {
                throw new DataException(file, where + ": bbox " + bbox + " holds something other than a finite number");
            }
        }
        if (v[2] <= 0 || v[3] <= 0) {
            throw new DataException(file, where + ": empty box, bbox " + bbox + " needs a positive width and height");
        }
        double t = EDGE_TOLERANCE;
        if (v[0] < -t || v[1] < -t || v[0] + v[2] > width + t || v[1] + v[3] > height + t) {
            throw new DataException(file, where + ": box outside the image " + width + "x" + height + ": bbox " + bbox
                    + " ([x, y, width, height] in pixels)");
        }
        return new Box((float) Math.max(0, v[0]), (float) Math.max(0, v[1]), (float) Math.min(width, v[0] + v[2]),
                (float) Math.min(height, v[1] + v[3]));
    }

    // ---- JSON fields, each error naming the entry ----------------------------------------------

    private static JsonNode list(Path file, JsonNode root, String key, boolean required) {
        JsonNode n = root.get(key);
        if ((n == null || n.isNull()) && !required) {
            return ConfigFiles.JSON.createArrayNode();
        }
        if (n == null || !n.isArray()) {
            throw new DataException(file, (n == null ? "no '" + key + "' list" : "'" + key + "' is not a list")
                    + ": not a COCO instances file (images, annotations, categories)");
        }
        return n;
    }

    private static JsonNode object(Path file, String where, JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new DataException(file, where + ": expected an object, got " + n);
        }
        return n;
    }

    private static long whole(Path file, String where, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new DataException(file, where + ": '" + key + "' must be a whole number, got " + v);
        }
        return v.asLong();
    }

    private static String text(Path file, String where, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new DataException(file, where + ": '" + key + "' must be a non-empty string, got " + v);
        }
        return v.asText().strip();
    }

    /** A positive image side, or 0 when the entry does not give it (the image header does). */
    private static int size(Path file, String where, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new DataException(file, where + ": '" + key + "' must be a positive whole number, got " + v);
        }
        return v.asInt();
    }

    private static boolean flag(Path file, String where, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber() && (v.asInt() == 0 || v.asInt() == 1)) {
            return v.asInt() == 1;
        }
        throw new DataException(file, where + ": '" + key + "' must be 0 or 1, got " + v);
    }

    // ---- files ---------------------------------------------------------------------------------

    private static List<Path> jsonFiles(Path dir) {
        return list(dir, f -> Files.isRegularFile(f) && fileName(f).toLowerCase(java.util.Locale.ROOT).endsWith(".json"));
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static String fileName(Path p) {
        Path n = p.getFileName();
        return n == null ? "" : n.toString();
    }
}
