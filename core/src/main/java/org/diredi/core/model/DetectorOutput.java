package org.diredi.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A detector's outputs by name. DJL's forward result (and the ONNX export's first three outputs) stay a
 * positional NDList, the wire format: class logits, box distances, center-ness logits, then the neck
 * features of every pyramid level; {@link #of} and {@link #toList} are the only code that knows the
 * positions.
 *
 * @param classLogits class logits (N, L, C), L = locations of all levels, P3 first, row-major
 * @param boxes       box distances l, t, r, b in input pixels (N, L, 4)
 * @param centerness  center-ness logits (N, L)
 * @param features    the neck features P3, P4, ... (N, F, H, W), one per level; empty for head-only outputs
 */
public record DetectorOutput(NDArray classLogits, NDArray boxes, NDArray centerness, NDList features) {

    /** Outputs before the features: class logits, boxes, center-ness. */
    public static final int HEAD_OUTPUTS = 3;

    public DetectorOutput {
        long[] c = classLogits.getShape().getShape();
        long[] b = boxes.getShape().getShape();
        long[] t = centerness.getShape().getShape();
        if (c.length != 3 || !Arrays.equals(b, new long[] {c[0], c[1], 4})
                || !Arrays.equals(t, new long[] {c[0], c[1]})) {
            throw new IllegalArgumentException("detector outputs do not fit together: class logits "
                    + classLogits.getShape() + ", boxes " + boxes.getShape() + ", center-ness " + centerness.getShape()
                    + " (expected (N, L, C), (N, L, 4), (N, L))");
        }
        for (NDArray f : features) {
            if (f.getShape().dimension() != 4 || f.getShape().get(0) != c[0]) {
                throw new IllegalArgumentException("a neck feature of shape " + f.getShape()
                        + " is not (N, F, H, W) with N = " + c[0]);
            }
        }
    }

    /** Names the outputs of a detector with {@code levels} pyramid levels. */
    public static DetectorOutput of(NDList out, int levels) {
        if (out.size() != HEAD_OUTPUTS + levels) {
            throw new IllegalArgumentException("a detector with " + levels + " pyramid levels gives "
                    + (HEAD_OUTPUTS + levels) + " outputs, got " + out.size());
        }
        return new DetectorOutput(out.get(0), out.get(1), out.get(2),
                new NDList(out.subList(HEAD_OUTPUTS, out.size())));
    }

    /** The wire format: head outputs, then the features. */
    public NDList toList() {
        NDList out = new NDList(classLogits, boxes, centerness);
        out.addAll(features);
        return out;
    }

    /** The wire format's shapes, from the head's three output shapes and the features' shapes. */
    public static Shape[] shapes(Shape[] head, Shape[] features) {
        Shape[] out = Arrays.copyOf(head, HEAD_OUTPUTS + features.length);
        System.arraycopy(features, 0, out, HEAD_OUTPUTS, features.length);
        return out;
    }

    public int levels() {
        return features.size();
    }

    public int batchSize() {
        return (int) classLogits.getShape().get(0);
    }

    /** Locations L over all levels. */
    public int locations() {
        return (int) classLogits.getShape().get(1);
    }

    /** The same outputs cut from the autograd graph: a frozen teacher's, which distillation must not train. */
    public DetectorOutput withoutGradient() {
        NDList f = new NDList(features.size());
        for (NDArray x : features) {
            f.add(x.stopGradient());
        }
        return new DetectorOutput(classLogits.stopGradient(), boxes.stopGradient(), centerness.stopGradient(), f);
    }
}
