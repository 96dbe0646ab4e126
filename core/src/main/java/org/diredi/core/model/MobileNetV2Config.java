package org.diredi.core.model;

/**
 * A MobileNetV2 backbone ({@link MobileNetV2Backbone}).
 *
 * @param width multiplier on every layer's channels (1.0 = the published network)
 * @param depth multiplier on the block repeats (1.0 = the published network)
 */
public record MobileNetV2Config(float width, float depth) implements BackboneConfig {

    public static final String KIND = "mobilenetv2";

    public MobileNetV2Config {
        if (width <= 0 || depth <= 0) {
            throw new IllegalArgumentException("mobilenet width and depth must be > 0");
        }
    }

    /** This MobileNetV2 with another depth multiplier. */
    public MobileNetV2Config withDepth(float newDepth) {
        return new MobileNetV2Config(width, newDepth);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Backbone build() {
        return new MobileNetV2Backbone(width, depth);
    }

    /** As in the preset table: {@code mobilenetv2 x0.5 d0.5}. */
    @Override
    public String toString() {
        return KIND + " x" + width + " d" + depth;
    }
}
