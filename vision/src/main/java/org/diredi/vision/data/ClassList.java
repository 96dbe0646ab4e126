package org.diredi.vision.data;

import org.diredi.vision.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployment's global label space: every model of one deployment has one head slot per class
 * here, in this order (DESIGN.md §1), even when a stage's data holds only a subset.
 */
public final class ClassList {

    /** FashionScenes' label space: the Fashion-MNIST classes, in their label order. */
    public static final ClassList FASHION = new ClassList(List.of(
            "tshirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "boot"));

    /** ShapeScenes' label space: ten procedurally drawn shapes ({@code diredi data scenes --domain shapes}). */
    public static final ClassList SHAPES = new ClassList(List.of(
            "star", "ring", "triangle", "cross", "arrow",
            "crescent", "heart", "hexagon", "bolt", "key"));

    /** The 20 Pascal VOC classes, in the devkit's order. */
    public static final ClassList VOC = new ClassList(List.of("aeroplane", "bicycle", "bird", "boat", "bottle",
            "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
            "sheep", "sofa", "train", "tvmonitor"));

    /** A normalised name shared by two names of the list: never matched through normalisation. */
    private static final int AMBIGUOUS = -2;

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> normalised = new HashMap<>();

    public ClassList(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("class list is empty");
        }
        this.names = List.copyOf(names);
        for (int i = 0; i < this.names.size(); i++) {
            String n = this.names.get(i);
            if (n.isBlank()) {
                throw new IllegalArgumentException("class list has a blank name at position " + i);
            }
            if (index.put(n, i) != null) {
                throw new IllegalArgumentException("class list names '" + n + "' twice");
            }
            normalised.merge(ClassAliases.normalise(n), i, (a, b) -> AMBIGUOUS);
        }
    }

    /**
     * Reads a class file, one name per line in label order (blank lines and lines starting with
     * '#' ignored), as written by {@link #write(Path)} and FashionScenes' {@code classes.txt}.
     */
    public static ClassList read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(file, "class list file not found");
        } catch (IOException e) {
            throw new DataException(file, "cannot read class list: " + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            String n = line.strip();
            if (!n.isEmpty() && !n.startsWith("#")) {
                names.add(n);
            }
        }
        try {
            return new ClassList(names);
        } catch (IllegalArgumentException e) {
            throw new DataException(file, e.getMessage());
        }
    }

    /** Writes one name per line (atomically), the format {@link #read(Path)} reads. */
    public void write(Path file) {
        AtomicFiles.string(file, String.join("\n", names) + "\n");
    }

    public int size() {
        return names.size();
    }

    public String name(int id) {
        return names.get(id);
    }

    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return index.containsKey(name);
    }

    /** Index of {@code name}; throws with the known names when the class is unknown. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException(
                    "unknown class '" + name + "' (known: " + String.join(", ", names) + ")");
        }
        return i;
    }

    /**
     * The id of a class name as a dataset writes it: the exact name, else the one name of the list that
     * is equal ignoring case, spaces, underscores, dashes and slashes, else the one that is a synonym
     * ({@link ClassAliases}); -1 when none (or more than one) matches.
     */
    public int lookup(String name) {
        Integer exact = index.get(name);
        if (exact != null) {
            return exact;
        }
        Integer same = normalised.get(ClassAliases.normalise(name));
        if (same != null) {
            return Math.max(same, -1);
        }
        int found = -1;
        for (String synonym : ClassAliases.synonyms(name)) {
            Integer id = normalised.get(synonym);
            if (id != null) {
                if (found >= 0 || id == AMBIGUOUS) {
                    return -1;
                }
                found = id;
            }
        }
        return found;
    }

    /** Class ids of the given names, validated against this list. */
    public List<Integer> ids(Collection<String> subset) {
        List<Integer> out = new ArrayList<>();
        for (String s : subset) {
            out.add(indexOf(s));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassList c && c.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return String.join(",", names);
    }
}
