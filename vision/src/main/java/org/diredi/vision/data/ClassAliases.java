package org.diredi.vision.data;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a class name written by a dataset tool is matched to a name of the {@link ClassList}: labelme
 * and other VOC writers say {@code potted plant} and {@code tv/monitor}, COCO says {@code airplane}
 * and {@code couch}, Fashion-MNIST says {@code T-shirt/top}. Names are compared after
 * {@link #normalise} (case, spaces, underscores, dashes, slashes and dots ignored), then through a
 * small table of synonyms.
 */
public final class ClassAliases {

    /** Each set holds normalised names of one class; the first is the Pascal VOC / FashionScenes one. */
    private static final List<Set<String>> SYNONYMS = List.of(
            Set.of("aeroplane", "airplane", "plane"),
            Set.of("bicycle", "bike"),
            Set.of("motorbike", "motorcycle"),
            Set.of("diningtable", "table"),
            Set.of("pottedplant", "plant", "houseplant"),
            Set.of("sofa", "couch"),
            Set.of("tvmonitor", "tv", "monitor", "television"),
            Set.of("tshirt", "tshirttop", "tee"),
            Set.of("boot", "ankleboot"),
            Set.of("bag", "handbag"));

    private static final Map<String, Set<String>> BY_NAME = index();

    private ClassAliases() {}

    private static Map<String, Set<String>> index() {
        Map<String, Set<String>> m = new HashMap<>();
        for (Set<String> group : SYNONYMS) {
            for (String name : group) {
                if (m.put(name, group) != null) {
                    throw new IllegalStateException("alias '" + name + "' is in two groups");
                }
            }
        }
        return m;
    }

    /** Lower case without spaces, underscores, dashes, slashes and dots: {@code Potted_Plant} is {@code pottedplant}. */
    public static String normalise(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (!Character.isWhitespace(ch) && "_-/\\.".indexOf(ch) < 0) {
                sb.append(ch);
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The normalised names that mean the same class as {@code name} (itself included). */
    public static Set<String> synonyms(String name) {
        String n = normalise(name);
        return BY_NAME.getOrDefault(n, Set.of(n));
    }
}
