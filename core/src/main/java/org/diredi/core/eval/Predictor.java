package org.diredi.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.core.model.DetectorOutput;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.train.DetectionSet;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalReport;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.eval.VocEvaluator;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.fcos.FcosGrid;
import org.diredi.vision.image.Preprocess;

/**
 * Inference with a DJL detector: batched forward in eval mode, then the shared {@link FcosDecoder}
 * (the same post-processing as the ONNX and edge paths), boxes in original image coordinates.
 */
public final class Predictor {

    private final FcosDetector model;
    private final NDManager manager;
    private final ParameterStore ps;
    private final FcosDecoder decoder;

    public Predictor(FcosDetector model, NDManager manager, FcosDecoder.Config config) {
        this.model = model;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        int s = model.config().inputSize();
        this.decoder = new FcosDecoder(new FcosGrid(s, ModelConfig.STRIDES), model.classes().size(), config);
    }

    /** Detections per image id for a whole split. */
    public Map<String, List<Detection>> predict(DetectionSet set, int batchSize) {
        Map<String, List<Detection>> out = new LinkedHashMap<>();
        forEachBatch(set, batchSize, r -> out.put(r.source().id(),
                decoder.decode(r.cls(), r.box(), r.ctr(), r.source().width(), r.source().height())));
        return out;
    }

    /** Detections on one image, in its own pixel coordinates. */
    public List<Detection> predict(BufferedImage image) {
        int s = model.config().inputSize();
        return run(Preprocess.toChw(image, s, s), 1, List.of(new int[] {image.getWidth(), image.getHeight()}))
                .get(0);
    }

    private List<List<Detection>> run(float[] x, int n, List<int[]> sizes) {
        List<float[][]> raw = forward(x, n);
        List<List<Detection>> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            res.add(decoder.decode(raw.get(i)[0], raw.get(i)[1], raw.get(i)[2], sizes.get(i)[0], sizes.get(i)[1]));
        }
        return res;
    }

    /** Per image of the batch: {class logits, boxes, center-ness logits}, location-major as the decoder takes them. */
    private List<float[][]> forward(float[] x, int n) {
        int s = model.config().inputSize();
        int c = model.classes().size();
        try (NDManager step = manager.newSubManager()) {
            NDArray input = step.create(x, new Shape(n, 3, s, s));
            DetectorOutput out = model.run(ps, input, false);
            float[] cls = out.classLogits().toFloatArray();
            float[] box = out.boxes().toFloatArray();
            float[] ctr = out.centerness().toFloatArray();
            int l = out.locations();
            List<float[][]> res = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                res.add(new float[][] {java.util.Arrays.copyOfRange(cls, i * l * c, (i + 1) * l * c),
                        java.util.Arrays.copyOfRange(box, i * l * 4, (i + 1) * l * 4),
                        java.util.Arrays.copyOfRange(ctr, i * l, (i + 1) * l)});
            }
            return res;
        }
    }

    /**
     * One image's undecoded outputs, location-major as {@link FcosDecoder#decode} takes them: what a
     * calibration searches over without running the network again.
     */
    public record Raw(VocImage source, float[] cls, float[] box, float[] ctr) {}

    /** The undecoded outputs of every image of a split. */
    public List<Raw> raw(DetectionSet set, int batchSize) {
        List<Raw> out = new ArrayList<>();
        forEachBatch(set, batchSize, out::add);
        return out;
    }

    /** Runs the network batch by batch and hands on each image's outputs (one batch in memory at a time). */
    private void forEachBatch(DetectionSet set, int batchSize, java.util.function.Consumer<Raw> sink) {
        List<DetectionSet.Item> items = set.items();
        int s = set.inputSize();
        int plane = 3 * s * s;
        for (int from = 0; from < items.size(); from += batchSize) {
            int to = Math.min(items.size(), from + batchSize);
            float[] x = new float[(to - from) * plane];
            for (int i = from; i < to; i++) {
                System.arraycopy(items.get(i).chw(), 0, x, (i - from) * plane, plane);
            }
            List<float[][]> r = forward(x, to - from);
            for (int i = from; i < to; i++) {
                float[][] o = r.get(i - from);
                sink.accept(new Raw(items.get(i).source(), o[0], o[1], o[2]));
            }
        }
    }

    /** VOC evaluation of the model on a split (ground truth as annotated, difficult honoured). */
    public EvalResult evaluate(DetectionSet set, EvalConfig config) {
        Map<String, List<Detection>> dets = predict(set, 16);
        return VocEvaluator.evaluate(groundTruth(set), dets, model.classes(), config);
    }

    /** {@link #evaluate} and COCO's AP@[.5:.95], AP50, AP75 of the same detections. */
    public EvalReport report(DetectionSet set, EvalConfig config) {
        Map<String, List<Detection>> dets = predict(set, 16);
        return EvalReport.evaluate(groundTruth(set), dets, model.classes(), config);
    }

    private static List<VocImage> groundTruth(DetectionSet set) {
        return set.items().stream().map(DetectionSet.Item::source).toList();
    }
}
