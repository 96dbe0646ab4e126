package org.diredi.core.distill;

import java.util.List;
import org.diredi.vision.box.Box;
import org.diredi.vision.data.VocObject;

/**
 * FGD's masks for one feature level (Eq. 1 and the scale mask of FGD §3.1, as in the authors'
 * code): a cell inside a box gets 1 / (box height x width in cells), the largest value where boxes
 * overlap; every other cell is background, with the background mask normalised to sum to 1.
 * Boxes are in input pixels; a box covers cells floor(x1 / s) .. ceil(x2 / s) (inclusive, clipped to
 * the map), as the authors do.
 */
public final class FgdMasks {

    private FgdMasks() {}

    /** Foreground (index 0) and background (index 1) masks, each {@code n * h * w}, row-major. */
    public static float[][] of(List<List<VocObject>> objects, int inputSize, int h, int w) {
        int n = objects.size();
        float[] fg = new float[n * h * w];
        float[] bg = new float[n * h * w];
        for (int i = 0; i < n; i++) {
            int base = i * h * w;
            for (VocObject o : objects.get(i)) {
                Box b = o.box();
                int x1 = (int) Math.floor(b.x1() / inputSize * w);
                int x2 = (int) Math.ceil(b.x2() / inputSize * w);
                int y1 = (int) Math.floor(b.y1() / inputSize * h);
                int y2 = (int) Math.ceil(b.y2() / inputSize * h);
                // the area counts cells before clipping to the map, as the FGD authors' code does
                float area = 1f / ((y2 + 1 - y1) * (float) (x2 + 1 - x1));
                x1 = clamp(x1, w);
                x2 = clamp(x2, w);
                y1 = clamp(y1, h);
                y2 = clamp(y2, h);
                for (int y = y1; y <= y2; y++) {
                    for (int x = x1; x <= x2; x++) {
                        int k = base + y * w + x;
                        fg[k] = Math.max(fg[k], area);
                    }
                }
            }
            int count = 0;
            for (int k = base; k < base + h * w; k++) {
                if (fg[k] == 0) {
                    bg[k] = 1;
                    count++;
                }
            }
            if (count > 0) {
                for (int k = base; k < base + h * w; k++) {
                    bg[k] /= count;
                }
            }
        }
        return new float[][] {fg, bg};
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size - 1, v));
    }
}
