package org.diredi.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.scenes.FashionScenes;
import org.diredi.vision.scenes.FashionScenesConfig;
import org.diredi.vision.scenes.SceneDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The second domain's boxes and labels are consistent enough for a detector to fit a handful of its scenes. */
class ShapeScenesTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void aSmallDetectorOverfitsAHandfulOfShapeScenes() throws java.io.IOException {
        Path data = tmp.resolve("shapes");
        FashionScenes.generate(SceneDomain.SHAPES, FashionScenesConfig.DEFAULT.withImageSize(96).withImages(8, 2, 2)
                .withObjects(1, 2).withObjectSize(28, 44).withSeed(3), data);
        VocDataset train = VocDataset.load(data, "train", ClassList.SHAPES);
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = new FcosDetector(TestData.SMALL, ClassList.SHAPES).init(m);
            DetectionSet set = DetectionSet.load(train, TestData.SMALL.inputSize());
            EvalResult before = new Predictor(model, m, FcosDecoder.Config.EVAL).evaluate(set, EvalConfig.DEFAULT);
            TrainConfig config = new TrainConfig(120, 8, "adamw", 0.004f, 0.9f, 0.0f, TrainConfig.GRAD_CLIP, 10, 0.1f,
                    1L, false, 0.25f, 2f, 1.5f, 0, "cpu");
            DetectorTrainer.Result r = new DetectorTrainer(model, m, config,
                    new DetectionObjective(FcosLoss.Config.DEFAULT), new PrintStream(new ByteArrayOutputStream()))
                    .run(set, null, new DetectorTrainer.RunInfo(tmp.resolve("run"), "edge",
                            new Manifest.DataInfo("shapes", "train", null, 8, 0), null, null), false);
            EvalResult after = new Predictor(model, m, FcosDecoder.Config.EVAL).evaluate(set, EvalConfig.DEFAULT);
            double first = r.history().get(0).loss().get("total");
            double last = r.history().get(r.history().size() - 1).loss().get("total");
            assertTrue(last < first / 4, "loss " + first + " -> " + last);
            assertTrue(before.map() < 0.2, "untrained mAP " + before.map());
            assertTrue(after.map() >= 0.9, "mAP after overfitting " + after.map() + "\n" + after.toMarkdown());
        }
    }
}
