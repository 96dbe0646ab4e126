package org.diredi.core.train;

import java.util.List;
import org.diredi.core.fcos.FcosTargets;
import org.diredi.vision.data.VocObject;

/**
 * A batch prepared on the loader thread: images (N, 3, S, S) flattened, FCOS targets, and the
 * (augmented) objects in input pixels, which feature distillation turns into masks.
 */
public record HostBatch(float[] images, int size, List<FcosTargets.Image> targets, List<List<VocObject>> objects) {}
