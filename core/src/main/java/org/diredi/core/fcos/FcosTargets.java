package org.diredi.core.fcos;

import java.util.Arrays;
import java.util.List;
import org.diredi.core.model.Pyramid;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.fcos.FcosGrid;

/**
 * FCOS target assignment (Tian et al. 2019, §3.1-3.2) for one image, in plain Java so it runs on
 * the data-loading thread. A location is positive for a box when it lies inside the box's centre
 * region (radius {@code centerRadius} strides around the box centre, clipped to the box: "center
 * sampling") and the largest of its distances to the box sides falls in its level's regression
 * range; when several boxes qualify, the smallest box wins. Difficult objects are not trained on.
 */
public final class FcosTargets {

    /** Assignment settings; {@code rangeBounds} has levels + 1 entries, the last may be infinite. */
    public record Config(float[] rangeBounds, float centerRadius) {

        /**
         * Regression ranges that double from level to level: {@code inputSize / 5} at the first bound
         * (32 px at 160 px, 102 px at 512 px), the last level unbounded; for P3-P5 that is 0,
         * {@code inputSize / 5}, {@code 2 * inputSize / 5}, infinity. FCOS's 64 / 128 px bounds were set
         * for 800 px inputs and five levels; scaled down naively they would leave each small object only
         * one or two positive locations, which starves training.
         */
        public static Config forInput(int inputSize) {
            int levels = Pyramid.levels();
            float[] bounds = new float[levels + 1];
            for (int i = 1; i < levels; i++) {
                bounds[i] = inputSize / 5f * (1 << (i - 1));
            }
            bounds[levels] = Float.POSITIVE_INFINITY;
            return new Config(bounds, 1.5f);
        }
    }

    /** Targets of one image. {@code label[k]} is the class id or -1 for background. */
    public record Image(int[] label, float[] box, float[] centerness, int positives) {}

    private final FcosGrid grid;
    private final Config config;

    public FcosTargets(FcosGrid grid, Config config) {
        if (config.rangeBounds().length != grid.levels() + 1) {
            throw new IllegalArgumentException("need " + (grid.levels() + 1) + " regression range bounds, got "
                    + config.rangeBounds().length);
        }
        this.grid = grid;
        this.config = config;
    }

    public FcosGrid grid() {
        return grid;
    }

    /** Assigns targets; boxes are in model-input pixels. */
    public Image assign(List<VocObject> objects) {
        int n = grid.size();
        int[] label = new int[n];
        float[] box = new float[n * 4];
        float[] ctr = new float[n];
        Arrays.fill(label, -1);
        float[] bestArea = new float[n];
        Arrays.fill(bestArea, Float.POSITIVE_INFINITY);
        int positives = 0;
        float[] bounds = config.rangeBounds();
        for (VocObject o : objects) {
            if (o.difficult()) {
                continue;
            }
            Box b = o.box();
            float area = b.area();
            float cx = (b.x1() + b.x2()) / 2;
            float cy = (b.y1() + b.y2()) / 2;
            for (int level = 0; level < grid.levels(); level++) {
                float r = config.centerRadius() * grid.stride(level);
                // centre region clipped to the box
                float rx1 = Math.max(b.x1(), cx - r);
                float ry1 = Math.max(b.y1(), cy - r);
                float rx2 = Math.min(b.x2(), cx + r);
                float ry2 = Math.min(b.y2(), cy + r);
                for (int k = grid.levelStart(level); k < grid.levelStart(level + 1); k++) {
                    float x = grid.x(k);
                    float y = grid.y(k);
                    if (x <= rx1 || x >= rx2 || y <= ry1 || y >= ry2) {
                        continue;
                    }
                    float l = x - b.x1();
                    float t = y - b.y1();
                    float rr = b.x2() - x;
                    float bb = b.y2() - y;
                    float m = Math.max(Math.max(l, t), Math.max(rr, bb));
                    if (m < bounds[level] || m > bounds[level + 1] || area >= bestArea[k]) {
                        continue;
                    }
                    if (label[k] < 0) {
                        positives++;
                    }
                    bestArea[k] = area;
                    label[k] = o.classId();
                    box[4 * k] = l;
                    box[4 * k + 1] = t;
                    box[4 * k + 2] = rr;
                    box[4 * k + 3] = bb;
                    ctr[k] = centerness(l, t, rr, bb);
                }
            }
        }
        return new Image(label, box, ctr, positives);
    }

    /** FCOS Eq. 3: sqrt(min(l, r) / max(l, r) * min(t, b) / max(t, b)). */
    public static float centerness(float l, float t, float r, float b) {
        return (float) Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
    }
}
