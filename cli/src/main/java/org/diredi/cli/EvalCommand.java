package org.diredi.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.eval.Predictor;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.DetectionSet;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ApMethod;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** VOC evaluation of a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on a VOC split: mAP@0.5, per-class AP, precision / recall / F1 at a",
            "score threshold. AP is VOC2010+ all-point interpolation unless --ap voc07 (11-point).",
            "Difficult objects are neither true nor false positives, as in the VOC devkit."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", description = "model checkpoint (.ckpt)")
    Path checkpoint;

    @Mixin
    DataOptions data;

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
        Checkpoint ck = Checkpoint.read(checkpoint).requireCompatible(null, data.classes());
        VocDataset ds = data.load(split);
        EvalConfig cfg = EvalConfig.DEFAULT.withScoreThreshold(scoreThreshold)
                .withApMethod(switch (ap) {
                    case "all" -> ApMethod.ALL_POINT;
                    case "voc07" -> ApMethod.ELEVEN_POINT;
                    default -> throw new IllegalArgumentException("--ap must be 'all' or 'voc07', got '" + ap + "'");
                });
        try (NDManager manager = NDManager.newBaseManager()) {
            FcosDetector model = ck.toModel(manager);
            DetectionSet set = DetectionSet.load(ds, model.config().inputSize());
            EvalResult r = new Predictor(model, manager, FcosDecoder.Config.EVAL).evaluate(set, cfg);
            System.out.printf("%s (id %s, %s) on %s/%s, %d images%n%n", checkpoint, ck.manifest().id(),
                    ck.manifest().model().name(), ds.root(), split, ds.size());
            System.out.println(r.toMarkdown());
            if (out != null) {
                Files.createDirectories(out);
                AtomicFiles.writeString(out.resolve("eval.json"), r.toJson());
                AtomicFiles.writeString(out.resolve("eval.md"), r.toMarkdown());
                System.out.println("wrote " + out.resolve("eval.json"));
            }
        }
        return 0;
    }
}
