package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.train.StepBatch;

/**
 * A sum of methods ({@code fgd+...}): the totals add up, the terms and settings of all are logged. The
 * methods' trainable blocks become children of one block named after the methods, so their parameter
 * names cannot collide.
 */
final class SumDistillation implements Distillation {

    private final Map<String, Distillation> methods;
    private final Block block;

    /** @param methods the methods by name, at least two, in the order they were named */
    SumDistillation(Map<String, Distillation> methods) {
        this.methods = methods;
        Methods b = new Methods();
        methods.forEach((name, m) -> {
            if (m.trainableBlock() != null) {
                b.add(name, m.trainableBlock());
            }
        });
        block = b.getChildren().isEmpty() ? null : b;
    }

    @Override
    public Loss loss(DetectorOutput student, DetectorOutput teacher, StepBatch batch, ParameterStore ps) {
        NDArray total = null;
        Map<String, NDArray> terms = new LinkedHashMap<>();
        for (Map.Entry<String, Distillation> e : methods.entrySet()) {
            Loss l = e.getValue().loss(student, e.getValue().usesTeacher() ? teacher : null, batch, ps);
            total = total == null ? l.total() : total.add(l.total());
            l.terms().forEach((k, v) -> {
                if (terms.put(k, v) != null) {
                    throw new IllegalStateException("distillation '" + e.getKey() + "' logs a term '" + k
                            + "' that another method of the sum logs too");
                }
            });
        }
        return new Loss(total, terms);
    }

    @Override
    public boolean usesTeacher() {
        return methods.values().stream().anyMatch(Distillation::usesTeacher);
    }

    @Override
    public Block trainableBlock() {
        return block;
    }

    @Override
    public Map<String, Double> settings() {
        Map<String, Double> m = new LinkedHashMap<>();
        methods.values().forEach(d -> m.putAll(d.settings()));
        return m;
    }

    /** Holds the methods' trainable blocks as named children; never runs. */
    private static final class Methods extends AbstractBlock {

        void add(String name, Block b) {
            addChildBlock(name, b);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            throw new UnsupportedOperationException("the methods of a distillation sum run through their own loss()");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[0];
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            // every method initialised its own block when it was built
        }
    }
}
