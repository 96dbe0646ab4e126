package org.diredi.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.fcos.FcosLoss;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.Presets;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freezing the backbone (reverse distillation's tutors) only saves work: with its weights out of autograd the neck and
 * head train to the same weights as with gradients computed for it, and its weights stay as they were.
 */
class FrozenBackboneTest {

    @TempDir
    Path dir;

    private List<TensorFile.Tensor> trainNeckAndHead(NDManager m, List<TensorFile.Tensor> init, boolean frozen,
                                                     DetectionSet set, String name) throws Exception {
        FcosDetector model = new FcosDetector(Presets.get("tiny/tutor"), ClassList.FASHION).init(m);
        ModelWeights.restore(model, init, true, "init");
        if (frozen) {
            model.freezeBackbone();
            for (Pair<String, Parameter> p : model.getParameters()) {
                assertEquals(FcosDetector.isNeckOrHead(p.getKey()), p.getValue().getArray().hasGradient(), p.getKey());
            }
        }
        TrainConfig config = TrainConfig.DEFAULTS.withEpochs(2).withBatchSize(4).withSeed(3);
        new DetectorTrainer(model, m, config, new DetectionObjective(FcosLoss.Config.DEFAULT),
                new PrintStream(new ByteArrayOutputStream())).trainOnly(FcosDetector::isNeckOrHead)
                .run(set, null, new DetectorTrainer.RunInfo(dir.resolve(name), "tutor",
                        new Manifest.DataInfo("scenes", "train", null, set.size(), 0), null, null), false);
        return ModelWeights.snapshot(model);
    }

    @Test
    void aFrozenBackboneTrainsTheSameNeckAndHeadAndKeepsItsWeights() throws Exception {
        DetectionSet set = DetectionSet.load(TestData.scenes(dir.resolve("data"), 8), 96);
        try (NDManager m = NDManager.newBaseManager()) {
            List<TensorFile.Tensor> init = ModelWeights.snapshot(
                    new FcosDetector(Presets.get("tiny/tutor"), ClassList.FASHION).init(m));
            List<TensorFile.Tensor> withGradients = trainNeckAndHead(m, init, false, set, "with");
            List<TensorFile.Tensor> frozen = trainNeckAndHead(m, init, true, set, "frozen");
            Map<String, TensorFile.Tensor> before = TensorFile.byName(init);
            boolean moved = false;
            for (int i = 0; i < frozen.size(); i++) {
                TensorFile.Tensor f = frozen.get(i);
                assertEquals(withGradients.get(i).name(), f.name());
                assertArrayEquals(withGradients.get(i).data(), f.data(), 1e-6f, f.name());
                boolean weight = !f.name().endsWith("runningMean") && !f.name().endsWith("runningVar");
                if (!FcosDetector.isNeckOrHead(f.name()) && weight) {
                    assertArrayEquals(before.get(f.name()).data(), f.data(), f.name() + " moved");
                }
                moved |= FcosDetector.isNeckOrHead(f.name()) && !java.util.Arrays.equals(before.get(f.name()).data(),
                        f.data());
            }
            assertTrue(moved, "the neck and head learnt");
            assertFalse(frozen.stream().noneMatch(t -> t.name().endsWith("runningMean") && !FcosDetector.isNeckOrHead(
                    t.name())), "tiny/tutor's backbone has batch norms");
        }
    }
}
