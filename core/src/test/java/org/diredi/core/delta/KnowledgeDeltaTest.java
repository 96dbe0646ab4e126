package org.diredi.core.delta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeDeltaTest {

    @TempDir
    Path dir;

    static List<TensorFile.Tensor> tutor1;
    static List<TensorFile.Tensor> tutor2;

    /** Two "tutors" of one architecture: real parameter names and shapes, tutor 2 = tutor 1 + noise. */
    @BeforeAll
    static void tutors() {
        try (NDManager m = NDManager.newBaseManager()) {
            tutor1 = ModelWeights.snapshot(new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m));
        }
        Random r = new Random(3);
        tutor2 = tutor1.stream().map(t -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (r.nextGaussian() * 0.01);
            }
            return new TensorFile.Tensor(t.name(), t.shape(), v);
        }).toList();
    }

    private static DeltaManifest manifest() {
        return new DeltaManifest(null, null, "base", "sha", ClassList.FASHION.names(), List.of("coat"), List.of(),
                1.0, "neck+head", null, Map.of("rdA", Map.of("images", 10)), 0, 0, 0, null, Map.of());
    }

    @Test
    void applyingTheDeltaOfTwoTutorsToTutorOneGivesTutorTwo() {
        KnowledgeDelta d = new KnowledgeDelta(manifest(),
                KnowledgeDelta.difference(tutor2, tutor1, 1.0, KnowledgeDelta.parts(true)));
        List<TensorFile.Tensor> back = d.applyTo(tutor1, 1.0, "tutor 1");
        long exact = 0;
        long sterbenz = 0;
        for (int i = 0; i < tutor2.size(); i++) {
            float[] want = tutor2.get(i).data();
            float[] a = tutor1.get(i).data();
            float[] got = back.get(i).data();
            for (int k = 0; k < want.length; k++) {
                // within one unit in the last place always ...
                assertTrue(Math.abs(got[k] - want[k]) <= Math.ulp(want[k]), tutor2.get(i).name() + "[" + k + "]");
                // ... and bit-exact wherever float subtraction is exact (Sterbenz: a/2 <= b <= 2a)
                if (a[k] != 0 && want[k] / a[k] >= 0.5 && want[k] / a[k] <= 2) {
                    sterbenz++;
                    assertEquals(want[k], got[k], 0f, tutor2.get(i).name() + "[" + k + "]");
                }
                if (want[k] == got[k]) {
                    exact++;
                }
            }
        }
        assertTrue(sterbenz > 1000, "enough values in the exact regime: " + sterbenz);
        assertTrue(exact > 0.9 * tutor2.stream().mapToLong(t -> t.data().length).sum());
    }

    @Test
    void theBackboneIsUntouchedByDefault() {
        List<TensorFile.Tensor> delta = KnowledgeDelta.difference(tutor2, tutor1, 1.0, KnowledgeDelta.parts(false));
        assertTrue(delta.stream().allMatch(t -> FcosDetector.isNeckOrHead(t.name())));
        assertTrue(delta.size() < tutor1.size());
        List<TensorFile.Tensor> out = new KnowledgeDelta(manifest(), delta).applyTo(tutor1, 1.0, "tutor");
        for (int i = 0; i < out.size(); i++) {
            if (!FcosDetector.isNeckOrHead(out.get(i).name())) {
                assertArrayEquals(tutor1.get(i).data(), out.get(i).data(), out.get(i).name());
            } else {
                assertArrayEquals(tutor2.get(i).data(), out.get(i).data(), 1e-6f, out.get(i).name());
            }
        }
        // gamma scales tutor 1's share: gamma 0 gives tutor 2 itself
        List<TensorFile.Tensor> g0 = KnowledgeDelta.difference(tutor2, tutor1, 0.0, KnowledgeDelta.parts(false));
        assertArrayEquals(tutor2.stream().filter(t -> FcosDetector.isNeckOrHead(t.name())).findFirst().get().data(),
                g0.get(0).data());
    }

    @Test
    void aDeltaFileRoundTripsAndTamperedTruncatedOrMismatchedDeltasAreRefused() throws IOException {
        Path f = dir.resolve("update.delta");
        List<TensorFile.Tensor> delta = KnowledgeDelta.difference(tutor2, tutor1, 1.0, KnowledgeDelta.parts(false));
        KnowledgeDelta written = KnowledgeDelta.write(f, manifest(), delta, false);
        KnowledgeDelta read = KnowledgeDelta.read(f);
        assertEquals(written.manifest(), read.manifest());
        assertEquals(KnowledgeDelta.l2Norm(delta), read.manifest().l2Norm(), 1e-9);
        assertEquals(List.of("coat"), read.manifest().classesAdded());

        byte[] bytes = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.delta");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 40));
        var e = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(cut));
        assertTrue(e.getMessage().contains("cut.delta") && e.getMessage().contains("truncated or corrupt"), e.getMessage());

        // tampered: other tensors under the original manifest
        Path forged = dir.resolve("forged.delta");
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put(KnowledgeDelta.MANIFEST, org.diredi.vision.config.ConfigFiles.toJson(read.manifest()).getBytes());
        entries.put(KnowledgeDelta.TENSORS, TensorFile.toBytes(
                KnowledgeDelta.difference(tutor1, tutor2, 1.0, KnowledgeDelta.parts(false)), TensorFile.FLOAT32));
        org.diredi.core.checkpoint.Bundle.write(forged, entries);
        var e2 = assertThrows(KnowledgeDelta.DeltaException.class, () -> KnowledgeDelta.read(forged));
        assertTrue(e2.getMessage().contains("SHA-256"), e2.getMessage());

        // mismatched: a delta for another architecture
        try (NDManager m = NDManager.newBaseManager()) {
            List<TensorFile.Tensor> edge = ModelWeights.snapshot(
                    new FcosDetector(org.diredi.core.model.Presets.get("cpu/edge"), ClassList.FASHION).init(m));
            var e3 = assertThrows(KnowledgeDelta.DeltaException.class, () -> read.applyTo(edge, 1.0, "edge.ckpt"));
            assertTrue(e3.getMessage().contains("edge.ckpt") && e3.getMessage().contains("shape"), e3.getMessage());
        }
        // NaN inside a delta
        float[] bad = delta.get(0).data().clone();
        bad[3] = Float.NaN;
        List<TensorFile.Tensor> nan = new java.util.ArrayList<>(delta);
        nan.set(0, new TensorFile.Tensor(delta.get(0).name(), delta.get(0).shape(), bad));
        var e4 = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> new KnowledgeDelta(manifest(), nan).applyTo(tutor1, 1.0, "tutor"));
        assertTrue(e4.getMessage().contains("NaN") && e4.getMessage().contains(delta.get(0).name()), e4.getMessage());
    }

    @Test
    void float16DeltasAreHalfTheSizeAndCloseToFloat32() throws IOException {
        List<TensorFile.Tensor> delta = KnowledgeDelta.difference(tutor2, tutor1, 1.0, KnowledgeDelta.parts(false));
        Path f32 = dir.resolve("a.delta");
        Path f16 = dir.resolve("b.delta");
        KnowledgeDelta.write(f32, manifest(), delta, false);
        KnowledgeDelta.write(f16, manifest(), delta, true);
        KnowledgeDelta half = KnowledgeDelta.read(f16);
        assertEquals("float16", half.manifest().dtype());
        long raw32 = delta.stream().mapToLong(t -> 4L * t.data().length).sum();
        assertTrue(Files.size(f16) < Files.size(f32) * 0.7, Files.size(f16) + " vs " + Files.size(f32));
        assertTrue(Files.size(f32) < raw32 * 1.2);
        for (int i = 0; i < delta.size(); i++) {
            assertArrayEquals(delta.get(i).data(), half.tensors().get(i).data(), 2e-4f);
        }
    }
}
