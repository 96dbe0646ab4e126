package org.diredi.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.diredi.core.nn.ConvNormAct;

/**
 * Feature pyramid neck (Lin et al. 2017) on C3-C5 -> P3-P5 (one level per {@link Pyramid} level):
 * 1x1 lateral convs, top-down nearest upsampling with addition, 3x3 output convs. These outputs are
 * the features FGD distils and reverse distillation imitates (paper Eq. 7).
 */
public final class Fpn extends AbstractBlock {

    private final ConvNormAct[] lateral = new ConvNormAct[Pyramid.levels()];
    private final ConvNormAct[] output = new ConvNormAct[Pyramid.levels()];
    private final int channels;

    public Fpn(int channels) {
        this.channels = channels;
        for (int i = 0; i < lateral.length; i++) {
            lateral[i] = addChildBlock("lateral" + i, ConvNormAct.builder(channels, 1).build());
        }
        for (int i = 0; i < output.length; i++) {
            output[i] = addChildBlock("output" + i, ConvNormAct.builder(channels, 3).build());
        }
    }

    public int channels() {
        return channels;
    }

    public int levels() {
        return lateral.length;
    }

    public ConvNormAct lateral(int level) {
        return lateral[level];
    }

    public ConvNormAct output(int level) {
        return output[level];
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int n = levels();
        NDArray[] lat = new NDArray[n];
        for (int i = 0; i < n; i++) {
            lat[i] = lateral[i].forward(ps, new NDList(inputs.get(i)), training, params).singletonOrThrow();
        }
        NDArray[] merged = new NDArray[n];
        merged[n - 1] = lat[n - 1];
        for (int i = n - 2; i >= 0; i--) {
            merged[i] = lat[i].add(upsampleTo(merged[i + 1], lat[i].getShape()));
        }
        NDList out = new NDList(n);
        for (int i = 0; i < n; i++) {
            out.add(output[i].forward(ps, new NDList(merged[i]), training, params).singletonOrThrow());
        }
        return out;
    }

    /** Nearest-neighbour upsampling to the lateral map's size (mode 0; ONNX: asymmetric + floor). */
    static NDArray upsampleTo(NDArray x, Shape target) {
        return x.getNDArrayInternal().interpolation(new long[] {target.get(2), target.get(3)}, 0, false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[levels()];
        for (int i = 0; i < out.length; i++) {
            Shape s = inputShapes[i];
            out[i] = new Shape(s.get(0), channels, s.get(2), s.get(3));
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int i = 0; i < levels(); i++) {
            lateral[i].initialize(manager, dataType, inputShapes[i]);
            Shape s = inputShapes[i];
            output[i].initialize(manager, dataType, new Shape(s.get(0), channels, s.get(2), s.get(3)));
        }
    }
}
