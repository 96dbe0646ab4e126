package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.diredi.core.nn.ConvNormAct;

/**
 * The GcBlock (Cao et al., GCNet) FGD uses for its global loss (FGD Eq. 7): attention pooling of
 * the feature map into one context vector (1x1 conv -> softmax over positions), a bottleneck
 * transform (1x1 conv C -> C/2, LayerNorm, ReLU, 1x1 conv C/2 -> C) and a broadcast add back onto
 * the features. The last conv starts at zero, so the block starts as the identity.
 */
public final class ContextBlock extends AbstractBlock {

    private final ConvNormAct mask;
    private final ConvNormAct reduce;
    private final ConvNormAct expand;
    private final Parameter lnGamma;
    private final Parameter lnBeta;
    private final int channels;

    public ContextBlock(int channels) {
        this.channels = channels;
        int hidden = Math.max(1, channels / 2);
        mask = addChildBlock("mask", ConvNormAct.builder(1, 1).build());
        reduce = addChildBlock("reduce", ConvNormAct.builder(hidden, 1).build());
        expand = addChildBlock("expand", ConvNormAct.builder(channels, 1).build().initWeight(Initializer.ZEROS));
        lnGamma = addParameter(Parameter.builder().setName("lnGamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(hidden)).build());
        lnBeta = addParameter(Parameter.builder().setName("lnBeta").setType(Parameter.Type.BETA)
                .optShape(new Shape(hidden)).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray weights = mask.forward(ps, inputs, training, params).singletonOrThrow()
                .reshape(n, hw, 1).softmax(1); // (N, HW, 1)
        NDArray context = x.reshape(n, c, hw).matMul(weights).reshape(n, c, 1, 1);
        NDArray h = reduce.forward(ps, new NDList(context), training, params).singletonOrThrow();
        h = layerNorm(h.reshape(n, -1), ps.getValue(lnGamma, x.getDevice(), training),
                ps.getValue(lnBeta, x.getDevice(), training)).reshape(n, -1, 1, 1);
        h = h.getNDArrayInternal().relu();
        NDArray add = expand.forward(ps, new NDList(h), training, params).singletonOrThrow();
        return new NDList(x.add(add));
    }

    /** LayerNorm over the channel axis of (N, C), as GCNet's LayerNorm([C/2, 1, 1]). */
    private static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        NDArray centred = x.sub(x.mean(new int[] {1}, true));
        NDArray var = centred.square().mean(new int[] {1}, true);
        NDArray g = gamma.reshape(1, -1);
        NDArray b = beta.reshape(1, -1);
        g.attach(x.getManager());
        b.attach(x.getManager());
        return centred.div(var.add(1e-5f).sqrt()).mul(g).add(b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        mask.initialize(manager, dataType, in);
        Shape pooled = new Shape(in.get(0), channels, 1, 1);
        reduce.initialize(manager, dataType, pooled);
        expand.initialize(manager, dataType, new Shape(in.get(0), Math.max(1, channels / 2), 1, 1));
    }
}
