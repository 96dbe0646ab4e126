package org.diredi.core.model;

import java.util.List;
import java.util.Map;

/**
 * The three model sizes of DiReDi (large teacher, tutor, edge) in two families:
 * {@code paper} (FCOS R101, FCOS R50, FCOS-Lite MobileNetV2-1.0 at 512 px, 256-channel FPN) and
 * {@code cpu} (the same architectures scaled down so they train on 2 CPU cores, keeping
 * large > tutor > edge in parameters with ratios like the paper's), and {@code tiny} (96 px, for
 * smoke tests of whole pipelines). {@code cpu/edge-bn} is the cpu edge model with batch-norm head
 * towers (gnGroups 0): the variant for int8 sensors (IMX500), whose export has no GroupNorm.
 */
public final class Presets {

    public static final List<String> ROLES = List.of("large", "tutor", "edge");
    public static final List<String> FAMILIES = List.of("paper", "cpu", "tiny");

    private static final Map<String, ModelConfig> ALL = Map.ofEntries(
            Map.entry("paper/large", new ModelConfig("paper/large", "resnet", new int[] {3, 4, 23, 3}, 64, 0, 0, 256, 4, 32, 512)),
            Map.entry("paper/tutor", new ModelConfig("paper/tutor", "resnet", new int[] {3, 4, 6, 3}, 64, 0, 0, 256, 4, 32, 512)),
            Map.entry("paper/edge", new ModelConfig("paper/edge", "mobilenetv2", null, 0, 1.0f, 1.0f, 256, 4, 32, 512)),
            Map.entry("cpu/large", new ModelConfig("cpu/large", "resnet", new int[] {2, 2, 6, 2}, 32, 0, 0, 96, 3, 16, 160)),
            Map.entry("cpu/tutor", new ModelConfig("cpu/tutor", "resnet", new int[] {1, 2, 3, 1}, 32, 0, 0, 96, 3, 16, 160)),
            Map.entry("cpu/edge", new ModelConfig("cpu/edge", "mobilenetv2", null, 0, 0.5f, 0.5f, 48, 2, 16, 160)),
            Map.entry("cpu/edge-bn", new ModelConfig("cpu/edge-bn", "mobilenetv2", null, 0, 0.5f, 0.5f, 48, 2, 0, 160)),
            // seconds per epoch on a handful of 96 px images: smoke tests of whole pipelines
            Map.entry("tiny/large", new ModelConfig("tiny/large", "resnet", new int[] {1, 1, 2, 1}, 16, 0, 0, 32, 1, 8, 96)),
            Map.entry("tiny/tutor", new ModelConfig("tiny/tutor", "resnet", new int[] {1, 1, 1, 1}, 16, 0, 0, 32, 1, 8, 96)),
            Map.entry("tiny/edge", new ModelConfig("tiny/edge", "mobilenetv2", null, 0, 0.35f, 0.35f, 16, 1, 8, 96)));

    private Presets() {}

    /** A preset by {@code family/role} (e.g. {@code cpu/edge}) or by role alone (the cpu family). */
    public static ModelConfig get(String name) {
        String key = name.contains("/") ? name : "cpu/" + name;
        ModelConfig c = ALL.get(key);
        if (c == null) {
            throw new IllegalArgumentException("unknown model preset '" + name + "' (known: "
                    + String.join(", ", ALL.keySet().stream().sorted().toList())
                    + "; a bare role means the cpu family)");
        }
        return c;
    }

    public static List<String> names() {
        return ALL.keySet().stream().sorted().toList();
    }
}
