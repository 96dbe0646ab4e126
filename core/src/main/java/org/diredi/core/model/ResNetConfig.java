package org.diredi.core.model;

import java.util.Arrays;

/**
 * A bottleneck ResNet backbone ({@link ResNetBackbone}).
 *
 * @param depths bottleneck blocks per stage (ResNet-50: 3,4,6,3; ResNet-101: 3,4,23,3)
 * @param width  stem and first-stage width (64 in the ResNet paper)
 */
public record ResNetConfig(int[] depths, int width) implements BackboneConfig {

    public static final String KIND = "resnet";

    /** The ResNet paper's stem width. */
    public static final int PAPER_WIDTH = 64;

    public ResNetConfig {
        if (depths == null || depths.length != 4 || Arrays.stream(depths).anyMatch(d -> d < 1) || width < 8) {
            throw new IllegalArgumentException("resnet needs 4 stage depths >= 1 and width >= 8");
        }
        depths = depths.clone();
    }

    @Override
    public int[] depths() {
        return depths.clone();
    }

    /** This ResNet with another stem width. */
    public ResNetConfig withWidth(int newWidth) {
        return new ResNetConfig(depths, newWidth);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Backbone build() {
        return new ResNetBackbone(depths, width);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetConfig r && Arrays.equals(depths, r.depths) && width == r.width;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(depths) * 31 + width;
    }

    /** As in the preset table: {@code resnet [1, 2, 3, 1] w32}. */
    @Override
    public String toString() {
        return KIND + " " + Arrays.toString(depths) + " w" + width;
    }
}
