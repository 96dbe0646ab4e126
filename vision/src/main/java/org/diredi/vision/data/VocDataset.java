package org.diredi.vision.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.diredi.vision.box.Box;
import org.diredi.vision.image.Images;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * One split of a dataset in the Pascal VOC layout:
 * {@code ROOT/Annotations/<id>.xml}, {@code ROOT/JPEGImages/<id>.jpg} (or the XML's
 * {@code <filename>}) and {@code ROOT/ImageSets/Main/<split>.txt} (one id per line).
 *
 * <p>{@link #load} validates everything up front (XML, boxes, class names, image headers and
 * sizes) so that a bad file fails with its name before hours of training, not in the middle.
 * VOC pixel corners are 1-based and inclusive; they become continuous {@link Box}es as
 * {@code (xmin - 1, ymin - 1, xmax, ymax)}, so a VOC box's width is {@code xmax - xmin + 1}.
 * Instances are immutable.
 */
public final class VocDataset {

    /** The split that is every image of a dataset; a dataset without splits has only this one. */
    public static final String ALL = "all";

    private final Path root;
    private final String split;
    private final ClassList classes;
    private final List<VocImage> images;

    private VocDataset(Path root, String split, ClassList classes, List<VocImage> images) {
        this.root = root;
        this.split = split;
        this.classes = classes;
        this.images = List.copyOf(images);
    }

    /**
     * Loads and validates {@code split} of the VOC dataset at {@code root}; class names in the
     * XML must all be in {@code classes} (as {@link ClassList#lookup} matches them: {@code potted plant}
     * is {@code pottedplant}), whose order fixes the class ids. The split {@value #ALL} is every
     * image in {@code Annotations/} unless {@code ImageSets/Main/all.txt} lists one: a VOC export
     * without {@code ImageSets/} is that one split.
     *
     * @throws DataException naming the offending file and the problem
     */
    public static VocDataset load(Path root, String split, ClassList classes) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root, "VOC dataset root is not a directory");
        }
        List<String> ids = splitIds(root, split);
        Path annotations = root.resolve("Annotations");
        Path imageDir = root.resolve("JPEGImages");
        ThreadLocal<DocumentBuilder> builders = ThreadLocal.withInitial(VocDataset::newBuilder);
        List<VocImage> images = ParallelLoad.map(ids, id -> {
            VocImage img = parseAnnotation(builders.get(), annotations.resolve(id + ".xml"), id, imageDir, classes);
            Images.Size size = Images.readSize(img.imagePath());
            if (size.width() != img.width() || size.height() != img.height()) {
                throw new DataException(img.imagePath(), "image is " + size.width() + "x" + size.height() + " but "
                        + id + ".xml says " + img.width() + "x" + img.height());
            }
            return img;
        });
        return new VocDataset(root, split, classes, images);
    }

    /** A dataset from images already in memory (class ids are checked against {@code classes}). */
    public static VocDataset of(Path root, String split, ClassList classes, List<VocImage> images) {
        for (VocImage img : images) {
            for (VocObject o : img.objects()) {
                if (o.classId() < 0 || o.classId() >= classes.size()) {
                    throw new IllegalArgumentException("image " + img.id() + " has class id "
                            + o.classId() + " outside the class list of " + classes.size());
                }
            }
        }
        return new VocDataset(root, split, classes, images);
    }

    /**
     * The image ids of {@code split}: its split file, or for {@value #ALL} without one every
     * {@code Annotations/*.xml} in name order. Without {@code ImageSets/Main/} only {@value #ALL} exists.
     */
    public static List<String> splitIds(Path root, String split) {
        Path file = splitFile(root, split);
        if (Files.exists(file) || !ALL.equals(split) && Files.isDirectory(file.getParent())) {
            return readSplit(file);
        }
        if (!ALL.equals(split)) {
            throw new DataException(root, "no split '" + split + "': without ImageSets/Main/ the folder is one"
                    + " split, '" + ALL + "' (every image in Annotations/); ask for split '" + ALL + "'");
        }
        List<String> ids = annotationIds(root.resolve("Annotations"));
        if (ids.isEmpty()) {
            throw new DataException(root.resolve("Annotations"), "no annotations (*.xml) for split '" + ALL + "'");
        }
        return ids;
    }

    /** The stems of the {@code *.xml} files in {@code dir}, in name order. */
    private static List<String> annotationIds(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "annotation folder not found (Pascal VOC layout expected)");
        }
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".xml"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir, "cannot list annotations: " + e.getMessage(), e);
        }
    }

    /**
     * The split names of the VOC folder at {@code root}: the split files in {@code ImageSets/Main/}
     * (per-class files, two columns, are not splits), or {@value #ALL} when there is none.
     */
    public static List<String> splits(Path root) {
        Path dir = root.resolve("ImageSets").resolve("Main");
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted()
                        .filter(VocDataset::isSplitFile).forEach(f -> out.add(stem(f)));
            } catch (IOException e) {
                throw new DataException(dir, "cannot list split files: " + e.getMessage(), e);
            }
        }
        return out.isEmpty() ? List.of(ALL) : out;
    }

    private static boolean isSplitFile(Path f) {
        try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
            return lines.map(String::strip).filter(l -> !l.isEmpty()).findFirst()
                    .map(l -> l.chars().noneMatch(Character::isWhitespace)).orElse(false);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataException(f, "cannot read split file: " + e.getMessage(), e);
        }
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /** Where {@code split}'s image ids are listed: {@code ROOT/ImageSets/Main/SPLIT.txt}. */
    public static Path splitFile(Path root, String split) {
        return root.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
    }

    /**
     * Reads a split file: one image id per line; blank lines ignored; surrounding whitespace
     * stripped. Rejects duplicate ids and per-class files ({@code id  1} lines).
     */
    public static List<String> readSplit(Path splitFile) {
        List<String> lines;
        try {
            lines = Files.readAllLines(splitFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(splitFile, "split file not found");
        } catch (IOException e) {
            throw new DataException(splitFile, "cannot read split file: " + e.getMessage(), e);
        }
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String id = lines.get(i).strip();
            if (id.isEmpty()) {
                continue;
            }
            if (id.chars().anyMatch(Character::isWhitespace)) {
                throw new DataException(splitFile, "line " + (i + 1) + ": expected one image id,"
                        + " got '" + id + "' (per-class files <class>_<split>.txt are not split files)");
            }
            if (id.contains("/") || id.contains("\\") || id.equals(".") || id.equals("..")) {
                throw new DataException(splitFile, "line " + (i + 1) + ": invalid image id '" + id + "'");
            }
            if (!seen.add(id)) {
                throw new DataException(splitFile, "line " + (i + 1) + ": duplicate image id '" + id + "'");
            }
            ids.add(id);
        }
        if (ids.isEmpty()) {
            throw new DataException(splitFile, "empty split: the file lists no image ids");
        }
        return ids;
    }

    /**
     * Parses and validates one VOC annotation. The image is {@code imageDir/<filename>} when the
     * XML names an existing file, else {@code imageDir/<id>.jpg}; it must exist (it is not decoded).
     */
    public static VocImage parseAnnotation(Path xml, String id, Path imageDir, ClassList classes) {
        return parseAnnotation(newBuilder(), xml, id, imageDir, classes);
    }

    private static VocImage parseAnnotation(DocumentBuilder builder, Path xml, String id,
            Path imageDir, ClassList classes) {
        if (!Files.isRegularFile(xml)) {
            throw new DataException(xml, "annotation file not found for image id '" + id + "'");
        }
        Document doc;
        try {
            doc = builder.parse(xml.toFile());
        } catch (SAXParseException e) {
            throw new DataException(xml, "malformed XML at line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (SAXException e) {
            throw new DataException(xml, "malformed XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DataException(xml, "cannot read annotation: " + e.getMessage(), e);
        }
        Element ann = doc.getDocumentElement();
        if (!"annotation".equals(ann.getTagName())) {
            throw new DataException(xml, "root element is <" + ann.getTagName()
                    + ">, expected <annotation>");
        }
        Element size = child(ann, "size");
        if (size == null) {
            throw new DataException(xml, "missing <size> (image width and height)");
        }
        int width = positiveInt(xml, size, "width");
        int height = positiveInt(xml, size, "height");
        Path imagePath = imagePath(xml, id, imageDir, text(child(ann, "filename")));

        List<VocObject> objects = new ArrayList<>();
        List<Element> objs = children(ann, "object");
        for (int k = 0; k < objs.size(); k++) {
            objects.add(parseObject(xml, objs.get(k), k + 1, objs.size(), width, height, classes));
        }
        return new VocImage(id, imagePath, width, height, objects);
    }

    private static VocObject parseObject(Path xml, Element obj, int index, int count, int width,
            int height, ClassList classes) {
        String where = "object " + index + " of " + count;
        String name = text(child(obj, "name"));
        if (name == null || name.isEmpty()) {
            throw new DataException(xml, where + ": missing <name>");
        }
        where += " (class '" + name + "')";
        int classId = classes.lookup(name);
        if (classId < 0) {
            throw new DataException(xml, where + ": unknown class '" + name + "' (known classes: "
                    + String.join(", ", classes.names()) + ")");
        }
        Element bb = child(obj, "bndbox");
        if (bb == null) {
            throw new DataException(xml, where + ": missing <bndbox>");
        }
        double xmin = coordinate(xml, where, bb, "xmin");
        double ymin = coordinate(xml, where, bb, "ymin");
        double xmax = coordinate(xml, where, bb, "xmax");
        double ymax = coordinate(xml, where, bb, "ymax");
        // Some VOC-style exporters write 0-based corners; 0 is tolerated and clamped.
        double x1 = Math.max(0, xmin - 1);
        double y1 = Math.max(0, ymin - 1);
        if (xmax <= x1 || ymax <= y1) {
            throw new DataException(xml, where + ": empty box, needs xmin <= xmax and ymin <= ymax"
                    + " (1-based inclusive), got xmin=" + fmt(xmin) + " xmax=" + fmt(xmax)
                    + " ymin=" + fmt(ymin) + " ymax=" + fmt(ymax));
        }
        if (xmin < 0 || ymin < 0 || xmax > width || ymax > height) {
            throw new DataException(xml, where + ": box outside the image " + width + "x" + height
                    + ": xmin=" + fmt(xmin) + " ymin=" + fmt(ymin) + " xmax=" + fmt(xmax)
                    + " ymax=" + fmt(ymax) + " (allowed 1.." + width + " and 1.." + height + ")");
        }
        boolean difficult = flag(xml, where, obj, "difficult");
        boolean truncated = flag(xml, where, obj, "truncated");
        Box box = new Box((float) x1, (float) y1, (float) xmax, (float) ymax);
        return new VocObject(classId, box, difficult, truncated);
    }

    private static Path imagePath(Path xml, String id, Path imageDir, String filename) {
        Path byId = imageDir.resolve(id + ".jpg");
        if (filename != null && !filename.isEmpty()) {
            Path named = imageDir.resolve(filename).normalize();
            if (!named.startsWith(imageDir.normalize())) {
                throw new DataException(xml, "<filename> '" + filename + "' points outside "
                        + imageDir);
            }
            if (Files.isRegularFile(named)) {
                return named;
            }
            if (Files.isRegularFile(byId)) {
                return byId;
            }
            throw new DataException(xml, "image file missing: neither " + named + " (its <filename>)"
                    + " nor " + byId + " exists");
        }
        if (!Files.isRegularFile(byId)) {
            throw new DataException(xml, "image file missing: " + byId);
        }
        return byId;
    }

    /** Decodes an image file; {@link DataException} if it is missing, unreadable or corrupt. */
    public static BufferedImage readImage(Path file) {
        return Images.read(file);
    }

    /** Decodes the image of {@code image} and checks that it has the annotated size. */
    public static BufferedImage readImage(VocImage image) {
        return Images.read(image.imagePath(), image.width(), image.height());
    }

    /**
     * A view whose images keep only the objects of {@code classNames}. The class list and class
     * ids are unchanged (all models of a deployment share one label space), and images left
     * without objects are kept as negatives: a stage trained on a subset must still see those
     * scenes, or it would learn that every image contains one of its classes.
     *
     * @throws IllegalArgumentException if a name is not in {@link #classes()}
     */
    public VocDataset restrictTo(Collection<String> classNames) {
        Set<Integer> keep = new HashSet<>(classes.ids(classNames));
        List<VocImage> kept = new ArrayList<>(images.size());
        for (VocImage img : images) {
            List<VocObject> objs = img.objects().stream()
                    .filter(o -> keep.contains(o.classId())).toList();
            kept.add(objs.size() == img.objects().size() ? img
                    : new VocImage(img.id(), img.imagePath(), img.width(), img.height(), objs));
        }
        return new VocDataset(root, split, classes, kept);
    }

    /**
     * The images that show no object of the given classes. DiReDi's presumed data "lacks" the class a
     * customer adds: dropping the images that show it makes the class absent, where {@link #restrictTo}
     * alone would keep its objects as unlabelled background (the model would be taught they are not objects).
     */
    public VocDataset withoutImagesOf(Collection<String> classNames) {
        Set<Integer> drop = new HashSet<>(classes.ids(classNames));
        List<VocImage> kept = images.stream()
                .filter(img -> img.objects().stream().noneMatch(o -> drop.contains(o.classId()))).toList();
        return new VocDataset(root, split, classes, kept);
    }

    public List<VocImage> images() {
        return images;
    }

    public int size() {
        return images.size();
    }

    public ClassList classes() {
        return classes;
    }

    public Path root() {
        return root;
    }

    public String split() {
        return split;
    }

    /** All objects, difficult ones included. */
    public int objectCount() {
        return images.stream().mapToInt(i -> i.objects().size()).sum();
    }

    /** Objects per class name, difficult ones included, in class-list order (zeros kept). */
    public Map<String, Integer> countsPerClass() {
        int[] counts = new int[classes.size()];
        for (VocImage img : images) {
            for (VocObject o : img.objects()) {
                counts[o.classId()]++;
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            out.put(classes.name(c), counts[c]);
        }
        return out;
    }

    @Override
    public String toString() {
        return "VocDataset[" + root + ", split " + split + ", " + images.size() + " images, "
                + objectCount() + " objects]";
    }

    // ---- XML helpers -------------------------------------------------------------------------

    /** A parser that refuses DTDs and external entities (XXE), as annotation files may be foreign. */
    static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            // The default handler prints "[Fatal Error]" to stderr; the exception says it all.
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {}

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser lacks a required security feature", e);
        }
    }

    /** Direct children only: VOC person objects nest {@code <part>}s with their own name and box. */
    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getTagName())) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().strip();
    }

    private static int positiveInt(Path xml, Element size, String tag) {
        String t = text(child(size, tag));
        if (t == null) {
            throw new DataException(xml, "missing <size><" + tag + ">");
        }
        try {
            int v = Integer.parseInt(t);
            if (v <= 0) {
                throw new DataException(xml, "<size><" + tag + "> must be positive, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataException(xml, "<size><" + tag + "> is not an integer: '" + t + "'");
        }
    }

    private static double coordinate(Path xml, String where, Element bb, String tag) {
        String t = text(child(bb, tag));
        if (t == null || t.isEmpty()) {
            throw new DataException(xml, where + ": missing <bndbox><" + tag + ">");
        }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new DataException(xml, where + ": <" + tag + "> is not a number: '" + t + "'");
        }
        if (!Double.isFinite(v)) {
            throw new DataException(xml, where + ": <" + tag + "> is not a finite number: '" + t + "'");
        }
        return v;
    }

    private static boolean flag(Path xml, String where, Element obj, String tag) {
        String t = text(child(obj, tag));
        if (t == null || t.isEmpty()) {
            return false;
        }
        switch (t) {
            case "0", "false" -> {
                return false;
            }
            case "1", "true" -> {
                return true;
            }
            default -> throw new DataException(xml, where + ": <" + tag + "> must be 0 or 1, got '"
                    + t + "'");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
