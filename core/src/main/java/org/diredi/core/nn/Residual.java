package org.diredi.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code act(main(x) + shortcut(x))}: the ResNet bottleneck (with a ReLU after the sum) and the
 * MobileNetV2 inverted residual (linear, no activation after the sum). The shortcut is the identity
 * when null.
 */
public final class Residual extends AbstractBlock {

    private final Block main;
    private final Block shortcut;
    private final Act act;

    public Residual(Block main, Block shortcut, Act act) {
        this.main = addChildBlock("main", main);
        this.shortcut = shortcut == null ? null : addChildBlock("shortcut", shortcut);
        this.act = act;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = main.forward(ps, inputs, training, params).singletonOrThrow();
        NDArray s = shortcut == null
                ? inputs.singletonOrThrow()
                : shortcut.forward(ps, inputs, training, params).singletonOrThrow();
        return new NDList(act.apply(y.add(s)));
    }

    public Block main() {
        return main;
    }

    public Block shortcut() {
        return shortcut;
    }

    public Act act() {
        return act;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return main.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        main.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
