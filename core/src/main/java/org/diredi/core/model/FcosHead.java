package org.diredi.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.Arrays;
import org.diredi.core.nn.Act;
import org.diredi.core.nn.Chain;
import org.diredi.core.nn.ConvNormAct;

/**
 * FCOS head (Tian et al. 2019), shared across pyramid levels: a classification tower and a box
 * tower of 3x3 conv + GroupNorm + ReLU, then class logits (one per class of the global label
 * space), box distances (l, t, r, b) and center-ness (on the box tower, as in the FCOS
 * improvements). A learnable scale per level multiplies the box output, which is
 * {@code relu(scale * x) * stride}: distances in input pixels.
 *
 * <p>With {@code gnGroups == 0} the towers use batch norm instead and are not shared: one tower
 * per level, because batch statistics differ between levels and a shared BN would train on
 * per-level statistics but run on their blend. Batch norm folds into the convolutions at export,
 * so the head needs no per-sample statistics (ReduceMean / Sqrt / Div), which int8 accelerators
 * such as the IMX500 do not run. The predictors (logits, box, center-ness) stay shared.
 *
 * <p>Output, concatenated over the {@link Pyramid} levels (P3 first) and row-major within a level:
 * class logits (N, L, C), box distances (N, L, 4), center-ness logits (N, L).
 */
public final class FcosHead extends AbstractBlock {

    /** Focal-loss prior: initial foreground probability of every location (FCOS, RetinaNet). */
    static final float PRIOR = 0.01f;

    private final Chain[] clsTowers; // one shared tower (group norm) or one per level (batch norm)
    private final Chain[] boxTowers;
    private final ConvNormAct clsLogits;
    private final ConvNormAct boxPred;
    private final ConvNormAct centerness;
    private final Parameter[] scales = new Parameter[Pyramid.levels()];
    private final int numClasses;

    public FcosHead(int channels, int convs, int gnGroups, int numClasses) {
        this.numClasses = numClasses;
        NormalInitializer headInit = new NormalInitializer(0.01f);
        int levels = Pyramid.levels();
        clsTowers = new Chain[levels];
        boxTowers = new Chain[levels];
        if (gnGroups > 0) {
            Arrays.fill(clsTowers, addChildBlock("clsTower", tower(channels, convs, gnGroups, headInit)));
            Arrays.fill(boxTowers, addChildBlock("boxTower", tower(channels, convs, gnGroups, headInit)));
        } else {
            for (int l = 0; l < levels; l++) {
                String p = "P" + Pyramid.number(l);
                clsTowers[l] = addChildBlock("clsTower" + p, tower(channels, convs, 0, headInit));
                boxTowers[l] = addChildBlock("boxTower" + p, tower(channels, convs, 0, headInit));
            }
        }
        clsLogits = addChildBlock("clsLogits", ConvNormAct.builder(numClasses, 3).build()
                .initWeight(headInit).initBias((float) -Math.log((1 - PRIOR) / PRIOR)));
        boxPred = addChildBlock("boxPred", ConvNormAct.builder(4, 3).build().initWeight(headInit));
        centerness = addChildBlock("centerness", ConvNormAct.builder(1, 3).build().initWeight(headInit));
        for (int i = 0; i < levels; i++) {
            scales[i] = addParameter(Parameter.builder().setName("scale" + i).setType(Parameter.Type.OTHER)
                    .optShape(new Shape(1)).optInitializer(new ConstantInitializer(1f)).build());
        }
    }

    private static Chain tower(int channels, int convs, int gnGroups, NormalInitializer init) {
        Chain t = new Chain();
        for (int i = 0; i < convs; i++) {
            ConvNormAct.Builder b = ConvNormAct.builder(channels, 3).act(Act.RELU);
            t.add("conv" + i, (gnGroups > 0 ? b.groupNorm(gnGroups) : b.batchNorm()).build().initWeight(init));
        }
        return t;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The class tower that runs on pyramid level {@code level} (0 = P3); the same block on every level with group norm. */
    public Chain clsTower(int level) {
        return clsTowers[level];
    }

    public Chain boxTower(int level) {
        return boxTowers[level];
    }

    public ConvNormAct clsLogits() {
        return clsLogits;
    }

    public ConvNormAct boxPred() {
        return boxPred;
    }

    public ConvNormAct centerness() {
        return centerness;
    }

    public Parameter scale(int level) {
        return scales[level];
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int levels = scales.length;
        NDArray[] cls = new NDArray[levels];
        NDArray[] box = new NDArray[levels];
        NDArray[] ctr = new NDArray[levels];
        for (int l = 0; l < levels; l++) {
            NDList p = new NDList(inputs.get(l));
            NDList ct = clsTowers[l].size() == 0 ? p : clsTowers[l].forward(ps, p, training, params);
            NDList bt = boxTowers[l].size() == 0 ? p : boxTowers[l].forward(ps, p, training, params);
            cls[l] = flatten(clsLogits.forward(ps, ct, training, params).singletonOrThrow());
            NDArray raw = boxPred.forward(ps, bt, training, params).singletonOrThrow();
            NDArray scale = ps.getValue(scales[l], raw.getDevice(), training);
            box[l] = flatten(raw.mul(scale).getNDArrayInternal().relu().mul(ModelConfig.STRIDES[l]));
            ctr[l] = flatten(centerness.forward(ps, bt, training, params).singletonOrThrow());
        }
        return new NDList(NDArrays.concat(new NDList(cls), 1), NDArrays.concat(new NDList(box), 1),
                NDArrays.concat(new NDList(ctr), 1).squeeze(2));
    }

    /** (N, K, H, W) -> (N, H*W, K), row-major over locations. */
    private static NDArray flatten(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long n = inputShapes[0].get(0);
        long locations = 0;
        for (Shape s : inputShapes) {
            locations += s.get(2) * s.get(3);
        }
        return new Shape[] {new Shape(n, locations, numClasses), new Shape(n, locations, 4), new Shape(n, locations)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape p3 = inputShapes[0];
        for (int l = 0; l < scales.length; l++) {
            if (l == 0 || clsTowers[l] != clsTowers[0]) {
                clsTowers[l].initialize(manager, dataType, inputShapes[l]);
                boxTowers[l].initialize(manager, dataType, inputShapes[l]);
            }
        }
        clsLogits.initialize(manager, dataType, p3);
        boxPred.initialize(manager, dataType, p3);
        centerness.initialize(manager, dataType, p3);
    }
}
