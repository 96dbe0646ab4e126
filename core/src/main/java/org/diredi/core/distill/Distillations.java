package org.diredi.core.distill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The distillation methods by name: {@code none}, {@code fgd}, {@code pkd} (FGD on standardised maps),
 * {@code logits} (response distillation, DiReDi Eq. 1), {@code boxes} (localisation distillation of the box
 * distances), or a sum of methods joined by {@code +} (e.g. {@code pkd+logits}, {@code logits+boxes}). Adding a
 * method is a class in this package and one line in {@link #METHODS}.
 */
public final class Distillations {

    /** The method DiReDi uses (FGD, as in the paper). */
    public static final String DEFAULT = "fgd";

    private static final String SUM = "+";

    private static final Map<String, Function<Distillation.Setup, Distillation>> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put("none", s -> new NoDistillation());
        METHODS.put("fgd", FgdDistillation::fgd);
        METHODS.put("pkd", FgdDistillation::pkd);
        METHODS.put("logits", LogitsDistillation::new);
        METHODS.put("boxes", BoxDistillation::new);
    }

    private Distillations() {}

    /** The names of the single methods. */
    public static Set<String> known() {
        return Collections.unmodifiableSet(METHODS.keySet());
    }

    /**
     * The single methods {@code name} sums, in order.
     *
     * @throws IllegalArgumentException for an unknown or repeated method, naming the known ones
     */
    public static List<String> parse(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("distillation method is missing; " + knownText());
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("\\" + SUM, -1)) {
            String p = part.strip();
            if (!METHODS.containsKey(p)) {
                throw new IllegalArgumentException("unknown distillation method '" + p + "' in '" + name + "'; "
                        + knownText());
            }
            if (parts.contains(p)) {
                throw new IllegalArgumentException("distillation method '" + p + "' appears twice in '" + name + "'");
            }
            parts.add(p);
        }
        return parts;
    }

    /** Builds the method {@code name} names (see {@link #parse}) for a teacher and a student. */
    public static Distillation create(String name, Distillation.Setup setup) {
        List<String> parts = parse(name);
        if (parts.size() == 1) {
            return METHODS.get(parts.get(0)).apply(setup);
        }
        Map<String, Distillation> methods = new LinkedHashMap<>();
        for (String p : parts) {
            methods.put(p, METHODS.get(p).apply(setup));
        }
        return new SumDistillation(methods);
    }

    private static String knownText() {
        return "known are " + String.join(", ", METHODS.keySet()) + ", or a sum of them joined by '" + SUM
                + "' (e.g. logits" + SUM + "boxes)";
    }
}
