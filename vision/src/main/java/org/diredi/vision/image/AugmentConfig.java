package org.diredi.vision.image;

/**
 * Training augmentation settings for {@link Augment}.
 *
 * @param flipProbability    chance of a horizontal flip
 * @param minZoom            smallest zoom factor (below 1 zooms out, padding with the mean colour)
 * @param maxZoom            largest zoom factor (above 1 zooms in, cropping)
 * @param brightness         brightness factor drawn from [1 - b, 1 + b]
 * @param contrast           contrast factor drawn from [1 - c, 1 + c]
 * @param saturation         saturation factor drawn from [1 - s, 1 + s]
 * @param minVisibleFraction objects keeping less than this fraction of their area after the zoom
 *                           crop are dropped (a detector should not learn to fire on slivers)
 * @param minBoxSize         objects narrower or lower than this many pixels after the zoom are dropped
 */
public record AugmentConfig(
        double flipProbability,
        double minZoom,
        double maxZoom,
        double brightness,
        double contrast,
        double saturation,
        double minVisibleFraction,
        double minBoxSize) {

    /** Flip p=0.5, zoom 0.75..1.25, brightness/contrast/saturation +-0.2, keep >= 40 %, >= 2 px. */
    public static final AugmentConfig DEFAULT = new AugmentConfig(0.5, 0.75, 1.25, 0.2, 0.2, 0.2, 0.4, 2);

    /** No augmentation: {@link Augment#apply} returns the sample's content unchanged. */
    public static final AugmentConfig NONE = new AugmentConfig(0, 1, 1, 0, 0, 0, 0.4, 2);

    public AugmentConfig {
        require(flipProbability >= 0 && flipProbability <= 1, "flipProbability must be in [0, 1]");
        require(minZoom > 0 && minZoom <= maxZoom && maxZoom <= 8,
                "zoom range must satisfy 0 < minZoom <= maxZoom <= 8, got " + minZoom + ".." + maxZoom);
        require(brightness >= 0 && brightness < 1, "brightness must be in [0, 1)");
        require(contrast >= 0 && contrast < 1, "contrast must be in [0, 1)");
        require(saturation >= 0 && saturation < 1, "saturation must be in [0, 1)");
        require(minVisibleFraction >= 0 && minVisibleFraction <= 1, "minVisibleFraction must be in [0, 1]");
        require(minBoxSize >= 0, "minBoxSize must be >= 0");
    }

    public boolean zooms() {
        return minZoom != 1 || maxZoom != 1;
    }

    public boolean jittersColour() {
        return brightness > 0 || contrast > 0 || saturation > 0;
    }

    public boolean isIdentity() {
        return flipProbability == 0 && !zooms() && !jittersColour();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("augmentation config: " + message);
        }
    }
}
