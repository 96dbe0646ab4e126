package org.diredi.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.eval.Predictor;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.diredi.vision.fcos.FcosDecoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training learns, checkpoints resume exactly, and a run directory is never overwritten silently. */
class TrainingTest {

    @TempDir
    static Path data;

    @TempDir
    Path runs;

    static VocDataset train;

    @BeforeAll
    static void scenes() {
        train = TestData.scenes(data, 8);
    }

    private static TrainConfig config(int epochs) {
        return new TrainConfig(epochs, 8, "adamw", 0.004f, 0.9f, 0.0f, TrainConfig.GRAD_CLIP, 10, 0.1f, 1L, false, 0.25f, 2f, 1.5f, 0, "cpu");
    }

    private static DetectorTrainer.RunInfo run(Path dir) {
        return new DetectorTrainer.RunInfo(dir, "edge", new Manifest.DataInfo("scenes", "train", null, 8, 0), null, null);
    }

    @Test
    void overfitsAHandfulOfScenesToHighMap() throws IOException {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            DetectionSet set = DetectionSet.load(train, TestData.SMALL.inputSize());
            EvalResult before = new Predictor(model, m, FcosDecoder.Config.EVAL).evaluate(set, EvalConfig.DEFAULT);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            DetectorTrainer.Result r = new DetectorTrainer(model, m, config(120),
                    new DetectionObjective(FcosLoss.Config.DEFAULT), new PrintStream(log))
                    .run(set, null, run(runs.resolve("overfit")), false);
            EvalResult after = new Predictor(model, m, FcosDecoder.Config.EVAL).evaluate(set, EvalConfig.DEFAULT);
            double first = r.history().get(0).loss().get("total");
            double last = r.history().get(r.history().size() - 1).loss().get("total");
            assertTrue(last < first / 4, "loss " + first + " -> " + last);
            assertTrue(before.map() < 0.2, "untrained mAP " + before.map());
            assertTrue(after.map() >= 0.9, "mAP after overfitting " + after.map() + "\n" + after.toMarkdown());
            assertTrue(Files.exists(runs.resolve("overfit/loss.png")));
            assertTrue(Files.exists(runs.resolve("overfit/model.ckpt")));
            assertEquals(120, Checkpoint.read(r.model()).manifest().progress().epoch());
        }
    }

    @Test
    void resumingAfterAnInterruptionGivesTheSameWeightsAsAnUninterruptedRun() throws IOException {
        DetectionSet set;
        List<TensorFile.Tensor> init;
        List<TensorFile.Tensor> straight;
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector a = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            init = ModelWeights.snapshot(a);
            set = DetectionSet.load(train, TestData.SMALL.inputSize());
            TrainConfig augmented = new TrainConfig(3, 4, "sgd", 0.01f, 0.9f, 1e-4f, TrainConfig.GRAD_CLIP, 2, 0.1f, 9L, true, 0.25f, 2f,
                    1.5f, 0, "cpu");
            new DetectorTrainer(a, m, augmented, new DetectionObjective(FcosLoss.Config.DEFAULT), quiet())
                    .run(set, null, run(runs.resolve("a")), false);
            straight = ModelWeights.snapshot(a);

            FcosDetector b = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            ModelWeights.restore(b, init, true, "init");
            new DetectorTrainer(b, m, augmented, new DetectionObjective(FcosLoss.Config.DEFAULT), quiet())
                    .stopAfter(1).run(set, null, run(runs.resolve("b")), false);
            assertTrue(Files.exists(runs.resolve("b/last.ckpt")));
            assertTrue(!Files.exists(runs.resolve("b/model.ckpt")));
            // a fresh process: new model object, state only from disk
            FcosDetector c = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            new DetectorTrainer(c, m, augmented, new DetectionObjective(FcosLoss.Config.DEFAULT), quiet())
                    .run(set, null, run(runs.resolve("b")), true);
            List<TensorFile.Tensor> resumed = ModelWeights.snapshot(c);
            double maxDiff = 0;
            for (int i = 0; i < straight.size(); i++) {
                float[] x = straight.get(i).data();
                float[] y = resumed.get(i).data();
                for (int k = 0; k < x.length; k++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[k] - y[k]));
                }
            }
            assertTrue(maxDiff < 1e-5, "max difference between straight and resumed weights " + maxDiff);
            // and training did change the weights
            assertTrue(Math.abs(init.get(0).data()[0] - straight.get(0).data()[0]) > 0);
            assertEquals(3, Checkpoint.read(runs.resolve("b/model.ckpt")).manifest().progress().epoch());
        }
    }

    @Test
    void anExistingRunIsNotOverwrittenWithoutResume() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector a = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            DetectionSet set = DetectionSet.load(train, TestData.SMALL.inputSize()).head(4);
            Path dir = runs.resolve("once");
            new DetectorTrainer(a, m, config(1), new DetectionObjective(FcosLoss.Config.DEFAULT), quiet())
                    .run(set, null, run(dir), false);
            byte[] before = Files.readAllBytes(dir.resolve("last.ckpt"));
            var e = assertThrows(IllegalStateException.class, () -> new DetectorTrainer(a, m, config(1),
                    new DetectionObjective(FcosLoss.Config.DEFAULT), quiet()).run(set, null, run(dir), false));
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("last.ckpt"))));
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    /** The detection loss, NaN on the calls {@code nanCalls} says (counting from 0). */
    private static Objective nanOn(java.util.function.IntPredicate nanCalls) {
        DetectionObjective det = new DetectionObjective(FcosLoss.Config.DEFAULT);
        int[] calls = {0};
        return (outputs, batch, ps, terms) -> {
            ai.djl.ndarray.NDArray l = det.loss(outputs, batch, ps, terms);
            return nanCalls.test(calls[0]++) ? l.mul(Float.NaN) : l;
        };
    }

    @Test
    void aBadStepIsSkippedAndThreeInARowStopTheRun() throws IOException {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector model = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            DetectionSet set = DetectionSet.load(train, TestData.SMALL.inputSize());
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            // batch 4 on 8 images: 2 steps an epoch; the first step's loss is NaN, the run goes on
            TrainConfig four = config(2).withBatchSize(4);
            DetectorTrainer.Result r = new DetectorTrainer(model, m, four, nanOn(c -> c == 0), new PrintStream(log))
                    .run(set, null, run(runs.resolve("one-bad")), false);
            assertTrue(log.toString().contains("loss became NaN at epoch 1 (step 0): batch skipped"), log.toString());
            assertTrue(Float.isFinite(ModelWeights.snapshot(model).get(0).data()[0]));
            assertEquals(2, r.history().size());

            // batch 2: 4 steps in the first epoch, all NaN: the third stops the run before any checkpoint
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new DetectorTrainer(model, m,
                    config(1).withBatchSize(2), nanOn(c -> true), new PrintStream(log)).run(set, null, run(runs.resolve("all-bad")), false));
            assertTrue(e.getMessage().contains("3 steps in a row") && e.getMessage().contains("no epoch has finished yet"),
                    e.getMessage());
        }
    }
}
