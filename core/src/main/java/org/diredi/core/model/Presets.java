package org.diredi.core.model;

import static org.diredi.core.model.ModelConfig.fcos;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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

    /** The table: backbone, FPN channels, head convs per tower, head norm, input size. */
    private static final Map<String, ModelConfig> ALL = byName(
            fcos("paper/large").resnet(3, 4, 23, 3).width(64).fpn(256).headConvs(4).groupNorm(32).input(512),
            fcos("paper/tutor").resnet(3, 4, 6, 3).width(64).fpn(256).headConvs(4).groupNorm(32).input(512),
            fcos("paper/edge").mobileNetV2(1.0f).depth(1.0f).fpn(256).headConvs(4).groupNorm(32).input(512),
            fcos("cpu/large").resnet(2, 2, 6, 2).width(32).fpn(96).headConvs(3).groupNorm(16).input(160),
            fcos("cpu/tutor").resnet(1, 2, 3, 1).width(32).fpn(96).headConvs(3).groupNorm(16).input(160),
            fcos("cpu/edge").mobileNetV2(0.5f).depth(0.5f).fpn(48).headConvs(2).groupNorm(16).input(160),
            fcos("cpu/edge-bn").mobileNetV2(0.5f).depth(0.5f).fpn(48).headConvs(2).batchNormPerLevel().input(160),
            // seconds per epoch on a handful of 96 px images: smoke tests of whole pipelines
            fcos("tiny/large").resnet(1, 1, 2, 1).width(16).fpn(32).headConvs(1).groupNorm(8).input(96),
            fcos("tiny/tutor").resnet(1, 1, 1, 1).width(16).fpn(32).headConvs(1).groupNorm(8).input(96),
            fcos("tiny/edge").mobileNetV2(0.35f).depth(0.35f).fpn(16).headConvs(1).groupNorm(8).input(96));

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

    private static Map<String, ModelConfig> byName(ModelConfig... configs) {
        return Arrays.stream(configs).collect(Collectors.toUnmodifiableMap(ModelConfig::name, c -> c));
    }
}
