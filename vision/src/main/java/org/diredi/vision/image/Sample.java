package org.diredi.vision.image;

import java.util.List;
import org.diredi.vision.data.VocObject;

/**
 * One model input: a normalised CHW tensor ({@link Preprocess}) and its objects with boxes in
 * input-pixel coordinates. The array is shared, not copied; transforms return new samples.
 */
public record Sample(float[] chw, int width, int height, List<VocObject> objects) {

    public Sample {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("sample size must be positive, got " + width + "x" + height);
        }
        if (chw.length != 3 * width * height) {
            throw new IllegalArgumentException("CHW array has " + chw.length + " floats, expected 3x"
                    + height + "x" + width + " = " + 3 * width * height);
        }
        objects = List.copyOf(objects);
    }
}
