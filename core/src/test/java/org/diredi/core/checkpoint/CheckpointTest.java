package org.diredi.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.model.Presets;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    private static Manifest manifest(FcosDetector d) {
        return new Manifest(null, null, null, "edge", d.config(), d.classes().names(),
                new Manifest.DataInfo("/data", "train", null, 10, 20), TrainConfig.DEFAULTS, null, null,
                new Manifest.Progress(1, 2, 7), null, Map.of("total", 1.5), null);
    }

    @Test
    void weightsRestoreOnAnyThreadIntoParametersThatRecordGradients() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            List<TensorFile.Tensor> weights = ModelWeights.snapshot(
                    new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m));
            FcosDetector target = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            target.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            // libtorch's grad mode is per thread, and on in a fresh thread (the cloud's worker restores there)
            Throwable[] failure = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    ModelWeights.restore(target, weights, true, "test");
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            t.start();
            t.join();
            assertEquals(null, failure[0]);
            List<TensorFile.Tensor> restored = ModelWeights.snapshot(target);
            for (int i = 0; i < weights.size(); i++) {
                assertArrayEquals(weights.get(i).data(), restored.get(i).data(), weights.get(i).name());
            }
            assertTrue(target.getParameters().values().stream().allMatch(p -> p.getArray().hasGradient()));
        }
    }

    @Test
    void saveAndLoadGiveTheSameOutputsAndProvenance() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            Path f = dir.resolve("a.ckpt");
            Manifest written = Checkpoint.write(f, manifest(d), ModelWeights.snapshot(d), null);
            Checkpoint ck = Checkpoint.read(f);
            assertEquals(written.id(), ck.manifest().id());
            assertEquals(16, ck.manifest().id().length());
            assertEquals(TestData.SMALL, ck.manifest().model());
            assertEquals(TrainConfig.DEFAULTS, ck.manifest().training());
            assertEquals(7, ck.manifest().progress().step());
            FcosDetector back = ck.toModel(m);
            NDArray x = m.randomNormal(d.inputShape(2));
            ParameterStore ps = new ParameterStore(m, false);
            NDList a = d.forward(ps, new NDList(x), false);
            NDList b = back.forward(ps, new NDList(x), false);
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), "output " + i);
            }
        }
    }

    @Test
    void truncatedTamperedAndMissingCheckpointsAreRefusedByName() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            Path f = dir.resolve("good.ckpt");
            Checkpoint.write(f, manifest(d), ModelWeights.snapshot(d), null);
            byte[] bytes = Files.readAllBytes(f);

            Path cut = dir.resolve("cut.ckpt");
            Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
            var e = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(cut));
            assertTrue(e.getMessage().contains("cut.ckpt") && e.getMessage().contains("truncated or corrupt"), e.getMessage());

            // tamper: replace the weights by another model's, keeping the manifest
            FcosDetector other = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            Path forged = dir.resolve("forged.ckpt");
            Manifest mf = Checkpoint.read(f).manifest();
            try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(forged))) {
                zip.putNextEntry(new java.util.zip.ZipEntry("manifest.json"));
                zip.write(org.diredi.vision.config.ConfigFiles.toJson(mf).getBytes());
                zip.putNextEntry(new java.util.zip.ZipEntry("model.tensors"));
                zip.write(TensorFile.toBytes(ModelWeights.snapshot(other), TensorFile.FLOAT32));
            }
            var e2 = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(forged));
            assertTrue(e2.getMessage().contains("forged.ckpt") && e2.getMessage().contains("SHA-256"), e2.getMessage());

            var e3 = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(dir.resolve("nope.ckpt")));
            assertTrue(e3.getMessage().contains("nope.ckpt") && e3.getMessage().contains("not found"));

            Path notZip = dir.resolve("text.ckpt");
            Files.writeString(notZip, "hello");
            var e4 = assertThrows(Checkpoint.CheckpointException.class, () -> Checkpoint.read(notZip));
            assertTrue(e4.getMessage().contains("text.ckpt"), e4.getMessage());
        }
    }

    @Test
    void mismatchedPresetOrClassListIsRefused() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            Path f = dir.resolve("small.ckpt");
            Checkpoint.write(f, manifest(d), ModelWeights.snapshot(d), null);
            Checkpoint ck = Checkpoint.read(f);
            var e = assertThrows(Checkpoint.CheckpointException.class,
                    () -> ck.requireCompatible(Presets.get("cpu/edge"), null));
            assertTrue(e.getMessage().contains("small.ckpt") && e.getMessage().contains("cpu/edge"), e.getMessage());
            var e2 = assertThrows(Checkpoint.CheckpointException.class,
                    () -> ck.requireCompatible(null, new ClassList(List.of("cat", "dog"))));
            assertTrue(e2.getMessage().contains("classes"), e2.getMessage());
            // weights of another architecture cannot be restored into this one
            FcosDetector edge = new FcosDetector(Presets.get("cpu/edge"), ClassList.FASHION).init(m);
            var e3 = assertThrows(IllegalArgumentException.class,
                    () -> ModelWeights.restore(edge, ck.weights(), true, f.toString()));
            assertTrue(e3.getMessage().contains("small.ckpt"), e3.getMessage());
        }
    }

    @Test
    void restoreRefusesNaNWithoutTouchingTheModel() {
        try (NDManager m = NDManager.newBaseManager()) {
            FcosDetector d = new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m);
            List<TensorFile.Tensor> w = ModelWeights.snapshot(d);
            float before = d.head().clsLogits().bias().getArray().getFloat(0);
            TensorFile.Tensor last = w.get(w.size() - 1);
            float[] bad = last.data().clone();
            bad[0] = Float.NaN;
            w.set(0, new TensorFile.Tensor(w.get(0).name(), w.get(0).shape(), new float[w.get(0).data().length]));
            w.set(w.size() - 1, new TensorFile.Tensor(last.name(), last.shape(), bad));
            var e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.restore(d, w, true, "x.ckpt"));
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains(last.name()), e.getMessage());
            assertEquals(before, d.head().clsLogits().bias().getArray().getFloat(0));
            // the zeroed first tensor was not written either (checks run before any copy)
            float[] first = ModelWeights.snapshot(d).get(0).data();
            boolean nonZero = false;
            for (float v : first) {
                nonZero |= v != 0f;
            }
            assertTrue(nonZero, "the first tensor must not have been overwritten");
        }
    }

    @Test
    void tensorFileRoundTripsFloat16AndDetectsTruncation() throws IOException {
        float[] v = {0f, 1f, -2.5f, 65504f, 1e-5f, 3.14159f, -0.0f};
        List<TensorFile.Tensor> t = List.of(new TensorFile.Tensor("a", new long[] {7}, v));
        byte[] b32 = TensorFile.toBytes(t, TensorFile.FLOAT32);
        assertArrayEquals(v, TensorFile.read(new ByteArrayInputStream(b32), "x").get(0).data());
        byte[] b16 = TensorFile.toBytes(t, TensorFile.FLOAT16);
        float[] back = TensorFile.read(new ByteArrayInputStream(b16), "x").get(0).data();
        for (int i = 0; i < v.length; i++) {
            assertEquals(v[i], back[i], Math.abs(v[i]) * 1e-3 + 1e-7, "value " + i);
        }
        assertEquals(TensorFile.fromHalf(TensorFile.toHalf(1f / 3)), 0.333251953125f);
        var e = assertThrows(IOException.class,
                () -> TensorFile.read(new ByteArrayInputStream(Arrays.copyOf(b32, b32.length - 4)), "delta.bin"));
        assertTrue(e.getMessage().contains("delta.bin") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
