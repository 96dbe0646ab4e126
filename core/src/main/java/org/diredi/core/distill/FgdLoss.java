package org.diredi.core.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.model.Pyramid;
import org.diredi.core.nn.ConvNormAct;
import org.diredi.vision.data.VocObject;

/**
 * FGD feature distillation over the FPN levels (FGD Eq. 9 summed over the {@link Pyramid} levels):
 * {@code alpha * L_fg + beta * L_bg + gamma * L_at + lambda * L_global}, where the focal part
 * imitates teacher features inside and outside the boxes weighted by the teacher's spatial and
 * channel attention (Eq. 4), the attention part makes the student's attention follow the
 * teacher's (Eq. 6), and the global part compares GcBlock relations of both maps (Eq. 8). A 1x1
 * align conv maps the student's channels to the teacher's when they differ. This block's
 * parameters (align convs, GcBlocks) train with the student but are not part of it.
 *
 * <p>The same loss is reverse distillation's {@code L_RD} (DiReDi Eq. 7), with the edge model as
 * the teacher.
 *
 * <p>With {@code normalise} (method {@code pkd}) both maps are first standardised per image and channel over
 * H x W (PKD, Cao et al. 2022): the loss then no longer follows the feature magnitude, and the attention's
 * softmax sees values of unit scale, as the temperature assumes, instead of saturating.
 */
public final class FgdLoss extends AbstractBlock {

    /**
     * Weighted terms, summed over levels, and their total; {@code diagnostics} are per-level scalars of the maps
     * the loss compared ({@link #diagnostics}), not part of the loss.
     */
    public record Terms(NDArray total, NDArray fg, NDArray bg, NDArray attention, NDArray global,
                        Map<String, NDArray> diagnostics) {}

    private final FgdConfig config;
    private final boolean normalise;
    private final ConvNormAct[] align = new ConvNormAct[Pyramid.levels()];
    private final ContextBlock[] studentContext = new ContextBlock[Pyramid.levels()];
    private final ContextBlock[] teacherContext = new ContextBlock[Pyramid.levels()];

    /**
     * @param studentChannels FPN channels of the student
     * @param teacherChannels FPN channels of the teacher
     */
    public FgdLoss(FgdConfig config, int studentChannels, int teacherChannels) {
        this(config, studentChannels, teacherChannels, false);
    }

    /** @param normalise standardise both maps per image and channel before the terms (PKD) */
    public FgdLoss(FgdConfig config, int studentChannels, int teacherChannels, boolean normalise) {
        this.config = config;
        this.normalise = normalise;
        for (int l = 0; l < align.length; l++) {
            if (studentChannels != teacherChannels) {
                align[l] = addChildBlock("align" + l, ConvNormAct.builder(teacherChannels, 1).build());
            }
            studentContext[l] = addChildBlock("studentContext" + l, new ContextBlock(teacherChannels));
            teacherContext[l] = addChildBlock("teacherContext" + l, new ContextBlock(teacherChannels));
        }
    }

    public FgdConfig config() {
        return config;
    }

    /**
     * @param student the student's neck features, P3 first
     * @param teacher the teacher's neck features (no gradient)
     * @param objects boxes per image in input pixels, for the masks
     */
    public Terms evaluate(ParameterStore ps, NDList student, NDList teacher, List<List<VocObject>> objects,
                          int inputSize) {
        NDArray fg = null;
        NDArray bg = null;
        NDArray at = null;
        NDArray gl = null;
        Map<String, NDArray> diagnostics = new LinkedHashMap<>();
        for (int l = 0; l < align.length; l++) {
            NDArray s = student.get(l);
            if (align[l] != null) {
                s = align[l].forward(ps, new NDList(s), true).singletonOrThrow();
            }
            NDArray t = teacher.get(l);
            if (normalise) {
                s = standardise(s);
                t = standardise(t);
            }
            Shape shape = t.getShape();
            int h = (int) shape.get(2);
            int w = (int) shape.get(3);
            float[][] masks = FgdMasks.of(objects, inputSize, h, w);
            NDManager m = s.getManager();
            NDArray fgMask = m.create(masks[0], new Shape(shape.get(0), 1, h, w));
            NDArray bgMask = m.create(masks[1], new Shape(shape.get(0), 1, h, w));
            NDArray[] level = level(ps, s, t, fgMask, bgMask, l);
            fg = fg == null ? level[0] : fg.add(level[0]);
            bg = bg == null ? level[1] : bg.add(level[1]);
            at = at == null ? level[2] : at.add(level[2]);
            gl = gl == null ? level[3] : gl.add(level[3]);
            diagnostics.putAll(diagnostics(s, t, level, l));
        }
        NDArray total = fg.mul(config.alpha()).add(bg.mul(config.beta())).add(at.mul(config.gamma()))
                .add(gl.mul(config.lambda()));
        return new Terms(total, fg.mul(config.alpha()), bg.mul(config.beta()), at.mul(config.gamma()),
                gl.mul(config.lambda()), diagnostics);
    }

    /** Each channel of each image to zero mean and unit variance over H x W (PKD). */
    public static NDArray standardise(NDArray f) {
        Shape s = f.getShape();
        NDArray flat = f.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
        NDArray centred = flat.sub(flat.mean(new int[] {2}, true));
        return centred.div(centred.square().mean(new int[] {2}, true).add(EPS).sqrt()).reshape(s);
    }

    /** Keeps a constant channel finite when standardised; far below the variance of any trained feature. */
    private static final float EPS = 1e-10f;

    /**
     * Per level (named {@code p3_...}): the mean |F| of the teacher's and the student's map as the loss compared
     * them, the largest spatial attention (Eq. 2) of each as a share of the image (1 / (H W): uniform, 1: all on one
     * location), and the attention loss as a share of its largest possible value {@code 2 (H W + C)} (the L1
     * distance between two attentions summing to H W, and to C).
     */
    private Map<String, NDArray> diagnostics(NDArray s, NDArray t, NDArray[] level, int l) {
        Shape shape = t.getShape();
        long hw = shape.get(2) * shape.get(3);
        String p = "p" + Pyramid.number(l) + "_";
        Map<String, NDArray> d = new LinkedHashMap<>();
        d.put(p + "teacher_abs", t.abs().mean());
        d.put(p + "student_abs", s.stopGradient().abs().mean());
        d.put(p + "teacher_att_max", level[4].reshape(shape.get(0), hw).max(new int[] {1}).mean().div(hw));
        d.put(p + "student_att_max", level[5].stopGradient().reshape(shape.get(0), hw).max(new int[] {1}).mean()
                .div(hw));
        d.put(p + "att_share", level[2].stopGradient().div(2f * (hw + shape.get(1))));
        return d;
    }

    /**
     * Unweighted fg, bg, attention and global losses of one level, then the teacher's and the student's spatial
     * attention (for the diagnostics, which reuse them rather than compute them again).
     */
    private NDArray[] level(ParameterStore ps, NDArray s, NDArray t, NDArray fgMask, NDArray bgMask, int l) {
        long n = t.getShape().get(0);
        NDArray[] attT = attention(t, config.temperature());
        NDArray[] attS = attention(s, config.temperature());
        NDArray weight = attT[0].sqrt().mul(attT[1].sqrt()); // (N, C, H, W) by broadcast
        NDArray diff = s.sub(t).mul(weight);
        NDArray fg = diff.mul(fgMask.sqrt()).square().sum().div(n);
        NDArray bg = diff.mul(bgMask.sqrt()).square().sum().div(n);
        NDArray at = attS[1].sub(attT[1]).abs().sum().div(n).add(attS[0].sub(attT[0]).abs().sum().div(n));
        NDArray rs = studentContext[l].forward(ps, new NDList(s), true).singletonOrThrow();
        NDArray rt = teacherContext[l].forward(ps, new NDList(t), true).singletonOrThrow();
        NDArray gl = rs.sub(rt).square().sum().div(n);
        return new NDArray[] {fg, bg, at, gl, attT[0], attS[0]};
    }

    /**
     * FGD Eq. 2-3: spatial attention {@code H W softmax(mean_c |F| / T)} shaped (N, 1, H, W), which
     * sums to H W per image, and channel attention {@code C softmax(mean_hw |F| / T)} shaped
     * (N, C, 1, 1), which sums to C.
     */
    public static NDArray[] attention(NDArray f, float temperature) {
        Shape s = f.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray a = f.abs();
        NDArray spatial = a.mean(new int[] {1}).reshape(n, hw).div(temperature).softmax(1).mul(hw)
                .reshape(n, 1, s.get(2), s.get(3));
        NDArray channel = a.reshape(n, c, hw).mean(new int[] {2}).div(temperature).softmax(1).mul(c)
                .reshape(n, c, 1, 1);
        return new NDArray[] {spatial, channel};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("use evaluate(): FGD needs the boxes of the batch");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    /** Input shapes: the student's features of every level, then the teacher's. */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        int levels = align.length;
        for (int l = 0; l < levels; l++) {
            if (align[l] != null) {
                align[l].initialize(manager, dataType, inputShapes[l]);
            }
            studentContext[l].initialize(manager, dataType, inputShapes[levels + l]);
            teacherContext[l].initialize(manager, dataType, inputShapes[levels + l]);
        }
    }
}
