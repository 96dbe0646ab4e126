package org.diredi.core.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Blocks applied one after the other, each under a name of the caller's choosing (DJL's
 * SequentialBlock names children by class, which makes parameter names unreadable).
 */
public final class Chain extends AbstractBlock {

    public Chain add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    public int size() {
        return children.size();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block b : children.values()) {
            x = b.forward(ps, x, training, params);
        }
        return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : children.values()) {
            s = b.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (Block b : children.values()) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
        }
    }
}
