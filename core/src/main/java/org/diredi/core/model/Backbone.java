package org.diredi.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.diredi.core.nn.Chain;

/**
 * A backbone: a stem, then stages applied in order; the outputs of the "tap" stages are C3, C4 and
 * C5 (strides 8, 16, 32), one per {@link Pyramid} level. Subclasses only build the stages.
 */
public abstract class Backbone extends AbstractBlock {

    private Chain stem;
    private final List<Chain> stages = new ArrayList<>();
    private final int[] taps = new int[Pyramid.levels()];
    private final int[] outChannels = new int[Pyramid.levels()];
    private int tapped;

    protected final void stem(Chain stem) {
        this.stem = addChildBlock("stem", stem);
    }

    /** Adds the next stage; {@code tapChannels > 0} makes its output the next of C3, C4, C5. */
    protected final void stage(Chain stage, int tapChannels) {
        stages.add(addChildBlock("stage" + (stages.size() + 1), stage));
        if (tapChannels > 0) {
            if (tapped == taps.length) {
                throw new IllegalStateException(getClass().getSimpleName() + " taps more stages than the "
                        + taps.length + " pyramid levels");
            }
            taps[tapped] = stages.size() - 1;
            outChannels[tapped++] = tapChannels;
        }
    }

    /** Channels of C3, C4, C5. */
    public int[] outChannels() {
        return outChannels.clone();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = stem.forward(ps, inputs, training, params);
        NDList out = new NDList(taps.length);
        int k = 0;
        for (int i = 0; i < stages.size(); i++) {
            x = stages.get(i).forward(ps, x, training, params);
            if (k < taps.length && taps[k] == i) {
                out.add(x.singletonOrThrow());
                k++;
            }
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        requireEveryLevelTapped();
        Shape[] s = stem.getOutputShapes(inputShapes);
        Shape[] out = new Shape[taps.length];
        int k = 0;
        for (int i = 0; i < stages.size(); i++) {
            s = stages.get(i).getOutputShapes(s);
            if (k < taps.length && taps[k] == i) {
                out[k++] = s[0];
            }
        }
        return out;
    }

    private void requireEveryLevelTapped() {
        if (tapped != taps.length) {
            throw new IllegalStateException(getClass().getSimpleName() + " taps " + tapped + " stages, the pyramid has "
                    + taps.length + " levels");
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        requireEveryLevelTapped();
        stem.initialize(manager, dataType, inputShapes);
        Shape[] s = stem.getOutputShapes(inputShapes);
        for (Chain stage : stages) {
            stage.initialize(manager, dataType, s);
            s = stage.getOutputShapes(s);
        }
    }
}
