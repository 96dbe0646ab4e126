package org.diredi.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.eval.Predictor;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.DetectionSet;
import org.diredi.inference.OnnxDetector;
import org.diredi.vision.box.Detection;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.image.Preprocess;
import org.diredi.vision.eval.ApMethod;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalReport;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** VOC evaluation of a checkpoint (DJL) or of its ONNX export (ONNX Runtime), through the same decoder. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on a split of a VOC, COCO or YOLO dataset: mAP@0.5, per-class AP,",
            "precision / recall / F1 at a score threshold, and COCO's AP@[.5:.95], AP50 and AP75. The VOC AP is",
            "VOC2010+ all-point interpolation unless --ap voc07 (11-point); the COCO ones follow pycocotools.",
            "Difficult objects are neither true nor false positives, as in the VOC devkit. With --onnx, an exported",
            "model (FP32 or int8) runs through ONNX Runtime and the project's decode + NMS, as on the camera."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "model checkpoint (.ckpt)")
    Path checkpoint;

    @Option(names = "--onnx", paramLabel = "FILE", description = "an exported model (.onnx) instead of a checkpoint")
    Path onnx;

    @Option(names = "--threads", description = "ONNX Runtime threads with --onnx (default: ${DEFAULT-VALUE})")
    int threads = 2;

    @Mixin
    DataOptions data;

    @Mixin
    DeviceOption device;

    @Option(names = "--split", description = "split to evaluate (default: ${DEFAULT-VALUE})")
    String split = "test";

    @Option(names = "--score-threshold", description = "score threshold for P / R / F1 (default: ${DEFAULT-VALUE})")
    double scoreThreshold = EvalConfig.DEFAULT.scoreThreshold();

    @Option(names = "--ap", description = "AP interpolation: all (VOC2010+) or voc07 (11-point) (default: ${DEFAULT-VALUE})")
    String ap = "all";

    @Option(names = "--out", paramLabel = "DIR", description = "write eval.json and eval.md here")
    Path out;

    @Override
    public Integer call() throws Exception {
        if ((checkpoint == null) == (onnx == null)) {
            throw new IllegalArgumentException("give one of --checkpoint CKPT or --onnx FILE");
        }
        EvalConfig cfg = EvalConfig.DEFAULT.withScoreThreshold(scoreThreshold)
                .withApMethod(switch (ap) {
                    case "all" -> ApMethod.ALL_POINT;
                    case "voc07" -> ApMethod.ELEVEN_POINT;
                    default -> throw new IllegalArgumentException("--ap must be 'all' or 'voc07', got '" + ap + "'");
                });
        EvalReport r = onnx != null ? evaluateOnnx(cfg) : evaluateCheckpoint(cfg, device.device());
        System.out.println(r.toMarkdown());
        if (out != null) {
            Files.createDirectories(out);
            AtomicFiles.writeString(out.resolve("eval.json"), r.toJson());
            AtomicFiles.writeString(out.resolve("eval.md"), r.toMarkdown());
            System.out.println("wrote " + out.resolve("eval.json"));
        }
        return 0;
    }

    private EvalReport evaluateCheckpoint(EvalConfig cfg, Device on) throws java.io.IOException {
        Checkpoint ck = Checkpoint.read(checkpoint).requireCompatible(null, data.classes());
        VocDataset ds = data.load(split);
        try (NDManager manager = NDManager.newBaseManager(on)) {
            FcosDetector model = ck.toModel(manager);
            DetectionSet set = DetectionSet.load(ds, model.config().inputSize());
            System.out.printf("%s (id %s, %s) on %s/%s, %d images%n%n", checkpoint, ck.manifest().id(),
                    ck.manifest().model().name(), ds.root(), split, ds.size());
            return new Predictor(model, manager, FcosDecoder.Config.EVAL).report(set, cfg);
        }
    }

    private EvalReport evaluateOnnx(EvalConfig cfg) throws java.io.IOException {
        device.cpuOnly("--onnx");
        VocDataset ds = data.load(split);
        try (OnnxDetector d = new OnnxDetector(onnx, threads, FcosDecoder.Config.EVAL)) {
            if (!d.classes().equals(data.classes().names())) {
                throw new IllegalArgumentException(onnx + " was exported for classes " + d.classes()
                        + ", the data's class list is " + data.classes().names());
            }
            System.out.printf("%s (ONNX Runtime, %s) on %s/%s, %d images%n%n", onnx,
                    d.metadata().getOrDefault(OnnxDetector.META_PRESET, "?"), ds.root(), split, ds.size());
            Map<String, List<Detection>> dets = new LinkedHashMap<>();
            for (VocImage i : ds.images()) {
                float[] chw = Preprocess.toChw(VocDataset.readImage(i), d.inputSize(), d.inputSize());
                dets.put(i.id(), d.detect(chw, i.width(), i.height()).detections());
            }
            return EvalReport.evaluate(ds.images(), dets, data.classes(), cfg);
        }
    }
}
