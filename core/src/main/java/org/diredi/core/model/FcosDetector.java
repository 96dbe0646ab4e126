package org.diredi.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.function.Predicate;
import org.diredi.core.nn.FlopCounter;
import org.diredi.vision.data.ClassList;

/**
 * One FCOS detector of the DiReDi family: {@code backbone} -> {@code neck} (FPN, P3-P5) ->
 * {@code head}. Parameter names start with {@code 01backbone_}, {@code 02neck_} or {@code 03head_},
 * which is how the knowledge delta (paper Eq. 9) selects neck + head.
 *
 * <p>Input: (N, 3, S, S) images normalised by {@code Preprocess}. Output: class logits (N, L, C),
 * box distances in pixels (N, L, 4), center-ness logits (N, L), then the neck features of every
 * pyramid level, P3 (N, F, S/8, S/8) first, for feature distillation: the NDList that
 * {@link DetectorOutput} names ({@link #run}).
 */
public final class FcosDetector extends AbstractBlock {

    public static final String BACKBONE = "01backbone";
    public static final String NECK = "02neck";
    public static final String HEAD = "03head";

    private final ModelConfig config;
    private final ClassList classes;
    private final Backbone backbone;
    private final Fpn neck;
    private final FcosHead head;

    public FcosDetector(ModelConfig config, ClassList classes) {
        this.config = config;
        this.classes = classes;
        backbone = addChildBlock("backbone", config.backbone().build());
        neck = addChildBlock("neck", new Fpn(config.fpnChannels()));
        head = addChildBlock("head", new FcosHead(config.fpnChannels(), config.headConvs(), config.gnGroups(),
                classes.size()));
    }

    public ModelConfig config() {
        return config;
    }

    public ClassList classes() {
        return classes;
    }

    public Backbone backbone() {
        return backbone;
    }

    public Fpn neck() {
        return neck;
    }

    public FcosHead head() {
        return head;
    }

    /** Input shape for a batch of {@code n} images. */
    public Shape inputShape(int n) {
        return new Shape(n, 3, config.inputSize(), config.inputSize());
    }

    /** Runs the detector on images (N, 3, S, S) and names its outputs. */
    public DetectorOutput run(ParameterStore ps, NDArray images, boolean training) {
        return DetectorOutput.of(forward(ps, new NDList(images), training), neck.levels());
    }

    /** Shapes of the neck features P3, P4, ... for a batch of {@code n} images. */
    public Shape[] featureShapes(int n) {
        return neck.getOutputShapes(backbone.getOutputShapes(new Shape[] {inputShape(n)}));
    }

    /** Initialises all parameters (random, or the given initializers) for this model's input size. */
    public FcosDetector init(NDManager manager) {
        initialize(manager, DataType.FLOAT32, inputShape(1));
        return this;
    }

    /** Parameters whose full name satisfies {@code filter}, e.g. neck and head for the delta. */
    public PairList<String, Parameter> parameters(Predicate<String> filter) {
        PairList<String, Parameter> out = new PairList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (filter.test(p.getKey())) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Takes the backbone's weights out of autograd for a stage that trains the neck and head only: backward then stops
     * at the neck instead of computing gradients the optimizer would discard: the same neck and head weights (a
     * reverse-distillation epoch side by side: identical weights, 1.18x faster; BENCHMARKS.md section 11). Batch norm
     * keeps its training mode (batch statistics, running statistics updated): running it on its stored statistics as
     * well was no faster and changed the tutors (Experiment 1, one seed: the same test mAP, 1.5 points less on the
     * gate's split). Call after the weights are loaded.
     */
    public FcosDetector freezeBackbone() {
        for (Pair<String, Parameter> p : getParameters()) {
            if (!isNeckOrHead(p.getKey())) {
                p.getValue().getArray().setRequiresGradient(false);
            }
        }
        return this;
    }

    public static boolean isNeckOrHead(String parameterName) {
        return parameterName.startsWith(NECK + "_") || parameterName.startsWith(HEAD + "_");
    }

    public long parameterCount() {
        long n = 0;
        for (Pair<String, Parameter> p : getParameters()) {
            if (p.getValue().getType() != Parameter.Type.RUNNING_MEAN
                    && p.getValue().getType() != Parameter.Type.RUNNING_VAR) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /** FLOPs of one forward pass on one image, counted on the real graph ({@link FlopCounter}). */
    public long flopsPerImage(NDManager manager) {
        try (NDManager sub = manager.newSubManager()) {
            FlopCounter.start();
            forward(new ParameterStore(sub, false), new NDList(sub.zeros(inputShape(1))), false);
            return FlopCounter.stop();
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList features = neck.forward(ps, backbone.forward(ps, inputs, training, params), training, params);
        NDList out = head.forward(ps, features, training, params);
        out.addAll(features);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] f = neck.getOutputShapes(backbone.getOutputShapes(inputShapes));
        Shape[] h = head.getOutputShapes(f);
        return DetectorOutput.shapes(h, f);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] c = backbone.getOutputShapes(inputShapes);
        neck.initialize(manager, dataType, c);
        head.initialize(manager, dataType, neck.getOutputShapes(c));
    }
}
