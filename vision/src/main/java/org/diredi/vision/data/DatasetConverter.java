package org.diredi.vision.data;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.diredi.vision.io.AtomicFiles;

/**
 * Converts a dataset between Pascal VOC, COCO and YOLO: every split is read and validated by
 * {@link Datasets#load} first, then the new dataset is built in a temporary folder and renamed to
 * its place ({@link AtomicFiles#directory}), so a failed conversion leaves nothing behind, and an
 * existing non-empty folder is never written into.
 *
 * <p>Images are copied as they are (no re-encoding) into one folder shared by the splits; an image in
 * several splits is copied once. VOC boxes are whole pixels and come back the same through COCO (exact
 * pixel numbers) and YOLO (six decimals of the image side: at most {@code 1e-6} of the side off, far
 * below the half pixel that rounding back to VOC forgives). YOLO has no difficult / crowd / truncated
 * flag: such objects become ordinary ones there, which {@link Summary#flagsLost} counts.
 */
public final class DatasetConverter {

    private DatasetConverter() {}

    /**
     * What to convert.
     *
     * @param from    the format {@code in} must hold, or null for whatever it holds
     * @param classes the label space, or null for the one the input declares ({@link Datasets#classes})
     * @param splits  the splits to convert, or null for all ({@link Datasets#splits})
     */
    public record Request(Path in, DatasetFormat from, DatasetFormat to, ClassList classes, List<String> splits,
                          Path out) {

        /** Every split of {@code in}, in its own label space, to {@code to} at {@code out}. */
        public static Request of(Path in, DatasetFormat to, Path out) {
            return new Request(in, null, to, null, null, out);
        }

        public Request withFrom(DatasetFormat f) {
            return new Request(in, f, to, classes, splits, out);
        }

        public Request withClasses(ClassList c) {
            return new Request(in, from, to, c, splits, out);
        }

        public Request withSplits(List<String> s) {
            return new Request(in, from, to, classes, s == null ? null : List.copyOf(s), out);
        }
    }

    /** One converted split. */
    public record SplitCount(String split, int images, int objects) {}

    /** What was written; {@code flagsLost} counts difficult / crowd objects that YOLO keeps as ordinary ones. */
    public record Summary(DatasetFormat from, DatasetFormat to, Path in, Path out, List<SplitCount> splits,
                          int flagsLost) {

        public String format() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "converted %s -> %s: %s -> %s%n",
                    from.id(), to.id(), in, out));
            for (SplitCount s : splits) {
                sb.append(String.format(Locale.ROOT, "  %-10s %6d images %7d objects%n", s.split(), s.images(),
                        s.objects()));
            }
            if (flagsLost > 0) {
                sb.append(flagsLost).append(" difficult / crowd objects are ordinary ones in YOLO, which has no such"
                        + " flag\n");
            }
            return sb.toString();
        }
    }

    /** The images to write, each once under its new id, and the ids of each split. */
    record Layout(List<VocImage> images, Map<String, List<String>> splits) {}

    /** Writes a {@link Layout} in one format into an empty folder. */
    interface Writer {
        void write(Path dir, String name, ClassList classes, Layout layout) throws IOException;
    }

    /** Reads, checks, writes; see the class comment. */
    public static Summary convert(Request r) {
        DatasetFormat from = Datasets.detect(r.in());
        if (r.from() != null && r.from() != from) {
            throw new DataException(r.in(), "holds a " + from.id() + " dataset, not " + r.from().id());
        }
        requireEmpty(r.out());
        ClassList classes = r.classes() != null ? r.classes() : Datasets.classes(r.in());
        List<String> splits = r.splits() != null ? r.splits() : Datasets.splits(r.in());
        Layout layout = layout(r.in(), splits, classes);
        String name = r.out().toAbsolutePath().normalize().getFileName().toString();
        try {
            AtomicFiles.directory(r.out(), dir -> writer(r.to()).write(dir, name, classes, layout));
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            requireEmpty(r.out());
            throw new DataException(r.out(), "cannot write: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DataException(r.out(), "cannot write: " + e.getMessage(), e);
        }
        return new Summary(from, r.to(), r.in(), r.out(), counts(layout), r.to() == DatasetFormat.YOLO
                ? (int) layout.images().stream().flatMap(i -> i.objects().stream()).filter(VocObject::difficult).count()
                : 0);
    }

    private static Writer writer(DatasetFormat to) {
        return switch (to) {
            case VOC -> DatasetConverter::writeVoc;
            case COCO -> CocoWriter::write;
            case YOLO -> YoloWriter::write;
        };
    }

    private static void requireEmpty(Path out) {
        if (Files.isRegularFile(out)) {
            throw new DataException(out, "is a file; convert writes a new folder");
        }
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new DataException(out, "is not empty; convert writes a new folder and never overwrites one");
                }
            } catch (IOException e) {
                throw new DataException(out, "cannot list: " + e.getMessage(), e);
            }
        }
    }

    /** Every split loaded; an image file in several splits keeps one id, ids taken by another file get the split's name. */
    static Layout layout(Path in, List<String> splits, ClassList classes) {
        Map<Path, String> idOfFile = new HashMap<>();
        Map<String, VocImage> byId = new LinkedHashMap<>();
        Map<String, List<String>> splitIds = new LinkedHashMap<>();
        for (String split : splits) {
            List<String> ids = new ArrayList<>();
            for (VocImage img : Datasets.load(in, split, classes).images()) {
                Path file = img.imagePath().toAbsolutePath().normalize();
                String id = idOfFile.get(file);
                if (id == null) {
                    id = freeId(img.id(), split, byId.keySet());
                    idOfFile.put(file, id);
                    byId.put(id, new VocImage(id, img.imagePath(), img.width(), img.height(), img.objects()));
                }
                ids.add(id);
            }
            splitIds.put(split, ids);
        }
        return new Layout(List.copyOf(byId.values()), splitIds);
    }

    private static String freeId(String id, String split, Set<String> taken) {
        String candidate = id;
        for (int n = 1; taken.contains(candidate); n++) {
            candidate = ImageIds.of(split) + "_" + id + (n == 1 ? "" : "_" + n);
        }
        return candidate;
    }

    private static List<SplitCount> counts(Layout layout) {
        Map<String, VocImage> byId = new HashMap<>();
        layout.images().forEach(i -> byId.put(i.id(), i));
        List<SplitCount> out = new ArrayList<>();
        layout.splits().forEach((split, ids) -> out.add(new SplitCount(split, ids.size(),
                ids.stream().mapToInt(id -> byId.get(id).objects().size()).sum())));
        return out;
    }

    /**
     * Copies every image of {@code layout} into {@code folder} as {@code <id>.<ext>}.
     *
     * @return image id to its file name in {@code folder}
     */
    static Map<String, String> copyImages(Path folder, Layout layout) throws IOException {
        Files.createDirectories(folder);
        Map<String, String> names = new HashMap<>();
        for (VocImage img : layout.images()) {
            String name = img.id() + ImageIds.extension(img.imagePath());
            Files.copy(img.imagePath(), folder.resolve(name));
            names.put(img.id(), name);
        }
        return names;
    }

    private static void writeVoc(Path dir, String name, ClassList classes, Layout layout) {
        VocWriter w = new VocWriter(dir, classes, name);
        layout.images().forEach(img -> w.copy(img.id(), img));
        layout.splits().forEach(w::writeSplit);
        classes.write(dir.resolve("classes.txt"));
    }
}
