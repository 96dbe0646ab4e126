package org.diredi.core.fcos;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDArrays;
import org.diredi.core.model.DetectorOutput;

/**
 * The FCOS detector loss on a batch: sigmoid focal loss over every location and class, GIoU loss
 * on positive locations weighted by their center-ness target, and center-ness binary cross-entropy
 * on positives. Classification and center-ness are normalised by the number of positives, the box
 * loss by the sum of center-ness targets (FCOS's choice: central locations matter more).
 */
public final class FcosLoss {

    /** Loss weights and focal-loss parameters (RetinaNet's alpha 0.25, gamma 2). */
    public record Config(float focalAlpha, float focalGamma, float clsWeight, float boxWeight, float ctrWeight) {
        public static final Config DEFAULT = new Config(0.25f, 2f, 1f, 1f, 1f);
    }

    /** The three terms, each a scalar NDArray, and their weighted sum. */
    public record Terms(NDArray total, NDArray cls, NDArray box, NDArray ctr) {}

    private final Config config;

    public FcosLoss(Config config) {
        this.config = config;
    }

    /**
     * @param predictions the detector outputs: class logits (N, L, C), distances (N, L, 4),
     *                    center-ness logits (N, L) (the features are not used)
     * @param targets     from {@link TargetBatch}: one-hot classes (N, L, C), box targets (N, L, 4),
     *                    center-ness targets (N, L), positive mask (N, L)
     */
    public Terms evaluate(DetectorOutput predictions, TargetBatch targets) {
        NDArray clsLogits = predictions.classLogits();
        NDArray boxPred = predictions.boxes();
        NDArray ctrLogits = predictions.centerness();
        NDArray pos = targets.positive();
        float numPos = Math.max(1f, targets.positives());
        NDArray cls = sigmoidFocal(clsLogits, targets.classes(), config.focalAlpha(), config.focalGamma())
                .sum().div(numPos);
        NDArray ctrT = targets.centerness();
        // GIoU on the positive locations only: a background row's value is masked out by a product, but a huge
        // prediction there gives inf - inf = NaN, and NaN * 0 is still NaN (Experiment 1's first RD A run).
        NDIndex rows = new NDIndex("{}", pos.reshape(-1).nonzero().reshape(-1));
        NDArray giou = giouLoss(boxPred.reshape(-1, 4).get(rows), targets.boxes().reshape(-1, 4).get(rows));
        float ctrSum = Math.max(1e-6f, targets.centernessSum());
        NDArray box = giou.mul(ctrT.reshape(-1).get(rows)).sum().div(ctrSum);
        NDArray ctr = bceWithLogits(ctrLogits, ctrT).mul(pos).sum().div(numPos);
        NDArray total = cls.mul(config.clsWeight()).add(box.mul(config.boxWeight())).add(ctr.mul(config.ctrWeight()));
        return new Terms(total, cls, box, ctr);
    }

    /**
     * Sigmoid focal loss (Lin et al. 2017, Eq. 5), element-wise:
     * {@code -alpha_t (1 - p_t)^gamma log(p_t)}, computed from logits for stability.
     */
    public static NDArray sigmoidFocal(NDArray logits, NDArray targets, float alpha, float gamma) {
        NDArray p = logits.getNDArrayInternal().sigmoid();
        NDArray ce = bceWithLogits(logits, targets);
        // 1 - p_t = p + t - 2 p t
        NDArray oneMinusPt = p.add(targets).sub(p.mul(targets).mul(2));
        NDArray modulator = gamma == 2f ? oneMinusPt.square() : oneMinusPt.pow(gamma);
        NDArray alphaT = targets.mul(2 * alpha - 1).add(1 - alpha); // alpha t + (1 - alpha)(1 - t)
        return ce.mul(modulator).mul(alphaT);
    }

    /** Binary cross-entropy with logits: max(x, 0) - x t + log(1 + exp(-|x|)). */
    public static NDArray bceWithLogits(NDArray x, NDArray t) {
        return x.getNDArrayInternal().relu().sub(x.mul(t)).add(x.abs().neg().exp().add(1f).log());
    }

    /**
     * GIoU loss (Rezatofighi et al. 2019) between boxes given as (l, t, r, b) distances from the
     * same location, element-wise over (..., 4) -> (...).
     */
    public static NDArray giouLoss(NDArray pred, NDArray target) {
        NDArray pl = pred.get("..., 0");
        NDArray pt = pred.get("..., 1");
        NDArray pr = pred.get("..., 2");
        NDArray pb = pred.get("..., 3");
        NDArray tl = target.get("..., 0");
        NDArray tt = target.get("..., 1");
        NDArray tr = target.get("..., 2");
        NDArray tb = target.get("..., 3");
        NDArray predArea = pl.add(pr).mul(pt.add(pb));
        NDArray targetArea = tl.add(tr).mul(tt.add(tb));
        NDArray wInter = NDArrays.minimum(pl, tl).add(NDArrays.minimum(pr, tr));
        NDArray hInter = NDArrays.minimum(pt, tt).add(NDArrays.minimum(pb, tb));
        NDArray inter = wInter.mul(hInter);
        NDArray union = predArea.add(targetArea).sub(inter).add(1e-7f);
        NDArray iou = inter.div(union);
        NDArray wEnc = NDArrays.maximum(pl, tl).add(NDArrays.maximum(pr, tr));
        NDArray hEnc = NDArrays.maximum(pt, tt).add(NDArrays.maximum(pb, tb));
        NDArray enclosing = wEnc.mul(hEnc).add(1e-7f);
        NDArray giou = iou.sub(enclosing.sub(union).div(enclosing));
        return giou.neg().add(1f);
    }
}
