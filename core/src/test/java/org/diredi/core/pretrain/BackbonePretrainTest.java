package org.diredi.core.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.ModelConfig;
import org.diredi.core.model.Presets;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.Optimizer;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pretraining learns; its backbone file loads into a detector exactly, and only into a matching one. */
class BackbonePretrainTest {

    @TempDir
    Path tmp;

    /** A backbone file of {@code preset} without training (random weights), for the loading tests. */
    private static Path untrained(ModelConfig preset, Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            BackboneClassifier c = new BackboneClassifier(preset, 10).init(m, 64);
            BackboneFile.write(file, new BackboneManifest(null, null, null, preset, null, PretrainConfig.DEFAULTS,
                    List.of(), 0, null), ModelWeights.snapshot(c, n -> n.startsWith(FcosDetector.BACKBONE + "_")));
        }
        return file;
    }

    @Test
    void classifierBackboneNamesAreTheDetectorsBackboneNames() {
        for (String preset : List.of("tiny/edge", "tiny/tutor")) {
            ModelConfig mc = Presets.get(preset);
            try (NDManager m = NDManager.newBaseManager()) {
                BackboneClassifier c = new BackboneClassifier(mc, 10).init(m, 64);
                FcosDetector d = new FcosDetector(mc, ClassList.FASHION).init(m);
                List<String> mine = c.getParameters().keys().stream()
                        .filter(n -> n.startsWith(FcosDetector.BACKBONE + "_")).toList();
                assertEquals(d.parameters(n -> n.startsWith(FcosDetector.BACKBONE + "_")).keys(), mine);
                assertEquals(2, c.getParameters().size() - mine.size(), "only the linear layer is extra");
            }
        }
    }

    @Test
    void learnsATinySetWithTheTrainersStepAndLoss() {
        // 200 fixed images (epoch 0 of the renderer), 10 passes: learning must show within seconds. Fresh images
        // every epoch (the real run) learn far more slowly: see the measured runs in models/pretrained.
        PretrainConfig cfg = new PretrainConfig(1, 200, 200, 0.004f, 0f, 0, 1f, 3L, 64, 100, false);
        BackbonePretrainer p = new BackbonePretrainer(Presets.get("tiny/tutor"), cfg, System.out);
        BackbonePretrainer.Batch set = p.batch(0, 0);
        long[] perClass = new long[10];
        for (long y : set.labels()) {
            perClass[(int) y]++;
        }
        assertTrue(java.util.Arrays.stream(perClass).max().getAsLong() < 40, "one class dominates: chance is not 0.1");
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            BackboneClassifier c = new BackboneClassifier(Presets.get("tiny/tutor"), 10).init(m, 64);
            Optimizer opt = BackbonePretrainer.optimizer(cfg, c);
            ParameterStore ps = new ParameterStore(m, false);
            double[] loss = new double[10];
            double[] acc = new double[10];
            for (int epoch = 0; epoch < 10; epoch++) {
                for (int k = 0; k < 5; k++) {
                    float[] r = BackbonePretrainer.trainStep(c, m, ps, set.slice(k * 40, 40), opt, cfg.lr());
                    loss[epoch] += r[0] / 5;
                    acc[epoch] += r[1] / 200;
                }
            }
            double[] eval = BackbonePretrainer.evaluate(c, m, ps, set, 50);
            System.out.printf("tiny set: loss %.3f -> %.3f, train acc %.3f -> %.3f, inference-mode acc %.3f%n",
                    loss[0], loss[9], acc[0], acc[9], eval[1]);
            assertTrue(loss[9] < loss[0] - 1.0, "loss " + loss[0] + " -> " + loss[9]);
            assertTrue(acc[9] > 0.7, "train accuracy " + acc[9] + " (chance 0.1)");
            assertTrue(eval[1] > 0.5, "inference-mode accuracy " + eval[1]);
        }
    }

    @Test
    void writesTheBackboneWithItsProvenance() throws IOException {
        PretrainConfig cfg = new PretrainConfig(2, 64, 32, 0.002f, 0.05f, 2, 0.1f, 3L, 64, 50, true);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = tmp.resolve("edge.backbone");
        BackbonePretrainer.Result r = new BackbonePretrainer(Presets.get("tiny/edge"), cfg,
                new PrintStream(log, true)).run(out);
        BackboneManifest m = r.manifest();
        assertEquals(2, m.history().size());
        assertTrue(m.history().stream().allMatch(e -> Double.isFinite(e.loss()) && e.valAccuracy() >= 0
                && e.valAccuracy() <= 1), m.history().toString());
        assertEquals(m.history().get(1).valAccuracy(), m.valAccuracy());
        assertEquals("tiny/edge", m.model().name());
        // Provenance: train-pool crops only, the held-out tail for validation, the file's own hash.
        assertEquals(0, m.data().trainCropFrom());
        assertEquals(6950, m.data().trainCropTo());
        assertEquals(7000, m.data().valCropTo());
        assertEquals(2L * 64, m.data().imagesSeen());
        BackboneFile.Loaded back = BackboneFile.read(out);
        assertEquals(TensorFile.sha256(Files.readAllBytes(out)), back.manifest().tensorsSha256());
        assertEquals(m.id(), back.manifest().id());
        assertTrue(back.tensors().stream().allMatch(t -> t.name().startsWith(FcosDetector.BACKBONE + "_")));
        assertTrue(log.toString().contains("val top-1"), log.toString());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("edge.backbone", "edge.backbone.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temp files left");
        }
    }

    @Test
    void restoreSetsTheBackboneBitExactlyAndLeavesNeckAndHead() throws IOException {
        ModelConfig mc = Presets.get("tiny/edge");
        Path file = untrained(mc, tmp.resolve("e.backbone"));
        List<TensorFile.Tensor> tensors = BackboneFile.read(file).tensors();
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(99);
            FcosDetector d = new FcosDetector(mc, ClassList.FASHION).init(m);
            Map<String, TensorFile.Tensor> before = TensorFile.byName(ModelWeights.snapshot(d));
            BackboneFile.restore(d, file);
            Map<String, TensorFile.Tensor> after = TensorFile.byName(ModelWeights.snapshot(d));
            boolean changed = false;
            for (TensorFile.Tensor t : tensors) {
                assertArrayEquals(t.data(), after.get(t.name()).data(), t.name());
                changed |= !java.util.Arrays.equals(t.data(), before.get(t.name()).data());
            }
            assertTrue(changed, "the file equals the random init: the test would prove nothing");
            int others = 0;
            for (Map.Entry<String, TensorFile.Tensor> e : before.entrySet()) {
                if (FcosDetector.isNeckOrHead(e.getKey())) {
                    assertArrayEquals(e.getValue().data(), after.get(e.getKey()).data(), e.getKey());
                    others++;
                }
            }
            assertTrue(others > 10);
            assertEquals(before.size(), tensors.size() + others);
        }
    }

    @Test
    void aBackboneOfAnotherPresetIsRefusedNamingTheFile() throws IOException {
        Path edge = untrained(Presets.get("tiny/edge"), tmp.resolve("tiny-edge.backbone"));
        Path tutor = untrained(Presets.get("tiny/tutor"), tmp.resolve("tiny-tutor.backbone"));
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector tutorModel = new FcosDetector(Presets.get("tiny/tutor"), ClassList.FASHION).init(m);
            Map<String, TensorFile.Tensor> before = TensorFile.byName(ModelWeights.snapshot(tutorModel));
            Exception e = assertThrows(Checkpoint.CheckpointException.class,
                    () -> BackboneFile.restore(tutorModel, edge));
            assertTrue(e.getMessage().contains(edge.toString()) && e.getMessage().contains("tiny/edge"),
                    e.getMessage());
            // The same names and shapes as far as they go, but one block fewer in a stage: refused, not half-loaded.
            FcosDetector large = new FcosDetector(Presets.get("tiny/large"), ClassList.FASHION).init(m);
            e = assertThrows(Checkpoint.CheckpointException.class, () -> BackboneFile.restore(large, tutor));
            assertTrue(e.getMessage().contains(tutor.toString()) && e.getMessage().contains("not in the file"),
                    e.getMessage());
            Map<String, TensorFile.Tensor> after = TensorFile.byName(ModelWeights.snapshot(tutorModel));
            for (String n : before.keySet()) {
                assertArrayEquals(before.get(n).data(), after.get(n).data(), n);
            }
        }
        // A damaged file or a missing manifest is refused by name too.
        byte[] bytes = Files.readAllBytes(edge);
        bytes[bytes.length / 2] ^= 1;
        Files.write(edge, bytes);
        Exception e = assertThrows(Checkpoint.CheckpointException.class, () -> BackboneFile.read(edge));
        assertTrue(e.getMessage().contains(edge.toString()) && e.getMessage().contains("SHA-256"), e.getMessage());
        Files.delete(BackboneFile.manifestOf(tutor));
        e = assertThrows(Checkpoint.CheckpointException.class, () -> BackboneFile.read(tutor));
        assertTrue(e.getMessage().contains("no manifest"), e.getMessage());
    }

    @Test
    void stageTrainingStartsFromTheBackboneAndRecordsIt() throws IOException {
        ModelConfig mc = Presets.get("tiny/edge");
        Path file = untrained(mc, tmp.resolve("b.backbone"));
        VocDataset data = TestData.scenes(tmp.resolve("scenes"), 4);
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(4);
        Stages.Result r = Stages.train(Stages.Stage.direct("edge", mc, one, data).withBackbone(file), ClassList.FASHION,
                tmp.resolve("run"), null, null, false);
        Checkpoint ck = Checkpoint.read(r.checkpoint());
        assertNotNull(ck.manifest().parent());
        assertEquals("backbone", ck.manifest().parent().relation());
        assertEquals(BackboneFile.read(file).manifest().id(), ck.manifest().parent().id());
        assertFalse(ck.manifest().parent().path().isEmpty());
    }
}
