package org.diredi.core.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.diredi.core.model.Backbone;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;

/**
 * A preset's backbone as an image classifier: backbone -> global average pool of C5 -> linear
 * layer to the class logits (N, classes). The backbone is this block's first child, named like the
 * detector's ({@link FcosDetector#BACKBONE}), so its parameters carry exactly the detector's
 * backbone parameter names and a pretrained backbone loads into a detector without any renaming.
 */
public final class BackboneClassifier extends AbstractBlock {

    private final ModelConfig config;
    private final int classes;
    private final Backbone backbone;
    private final Linear classifier;

    public BackboneClassifier(ModelConfig config, int classes) {
        this.config = config;
        this.classes = classes;
        backbone = addChildBlock("backbone", config.backbone().build());
        classifier = addChildBlock("classifier", Linear.builder().setUnits(classes).build());
        if (!children.keys().get(0).equals(FcosDetector.BACKBONE)) {
            throw new IllegalStateException("backbone block named " + children.keys().get(0) + ", the detector's is "
                    + FcosDetector.BACKBONE);
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** Initialises all parameters for {@code size x size} inputs. */
    public BackboneClassifier init(NDManager manager, int size) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList c = backbone.forward(ps, inputs, training, params);
        NDArray top = c.get(c.size() - 1); // C5, the coarsest level
        // libtorch through DJL averages over one axis at a time
        return classifier.forward(ps, new NDList(top.mean(new int[] {3}).mean(new int[] {2})), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] taps = backbone.getOutputShapes(inputShapes);
        Shape c5 = taps[taps.length - 1];
        classifier.initialize(manager, dataType, new Shape(c5.get(0), c5.get(1)));
    }
}
