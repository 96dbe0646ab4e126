package org.diredi.core.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.diredi.core.fcos.TargetBatch;
import org.diredi.vision.data.VocObject;

/** One training step's inputs on the device: images, FCOS targets, and the objects per image. */
public record StepBatch(NDArray images, TargetBatch targets, List<List<VocObject>> objects) {

    public int size() {
        return objects.size();
    }
}
