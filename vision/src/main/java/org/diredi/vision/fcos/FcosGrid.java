package org.diredi.vision.fcos;

/**
 * The locations an FCOS head predicts at: every cell of P3, P4, P5 (strides 8, 16, 32), level by
 * level and row-major within a level, each at its cell centre {@code (j * s + s / 2, i * s + s / 2)}.
 * Shared by target assignment (training) and decoding (training, export checks, edge runtime) so
 * both agree on what location {@code k} means.
 */
public final class FcosGrid {

    private final int inputSize;
    private final int[] strides;
    private final float[] x;
    private final float[] y;
    private final int[] level;
    private final int[] levelStart;

    public FcosGrid(int inputSize, int[] strides) {
        this.inputSize = inputSize;
        this.strides = strides.clone();
        levelStart = new int[strides.length + 1];
        int n = 0;
        for (int l = 0; l < strides.length; l++) {
            levelStart[l] = n;
            int side = cells(inputSize, strides[l]);
            n += side * side;
        }
        levelStart[strides.length] = n;
        x = new float[n];
        y = new float[n];
        level = new int[n];
        int k = 0;
        for (int l = 0; l < strides.length; l++) {
            int s = strides[l];
            int side = cells(inputSize, s);
            for (int i = 0; i < side; i++) {
                for (int j = 0; j < side; j++) {
                    x[k] = j * s + s / 2f;
                    y[k] = i * s + s / 2f;
                    level[k++] = l;
                }
            }
        }
    }

    /** Feature-map side for a stride: ceil(size / stride), as a stride-2 conv with padding gives. */
    public static int cells(int size, int stride) {
        return (size + stride - 1) / stride;
    }

    public int size() {
        return x.length;
    }

    public int inputSize() {
        return inputSize;
    }

    public int levels() {
        return strides.length;
    }

    public int stride(int level) {
        return strides[level];
    }

    public int[] strides() {
        return strides.clone();
    }

    public float x(int k) {
        return x[k];
    }

    public float y(int k) {
        return y[k];
    }

    public int level(int k) {
        return level[k];
    }

    /** First location index of a level; {@code levelStart(levels())} is the total count. */
    public int levelStart(int level) {
        return levelStart[level];
    }
}
