package org.diredi.bench.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diredi.cloud.CloudConfig;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.DeltaEncoding;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.FcosDetector;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both delta benchmarks end to end on a tiny tutor: tutor 1 is the tutor, tutor 2 the tutor with its neck and head
 * moved, so the delta is that move. The figures are the benchmarks' own: sizes fall with the form, float32 is exact,
 * epsilon falls as the noise grows, and the noise is what moves the uploaded norm.
 */
class DeltaBenchmarksTest {

    @TempDir
    static Path dir;

    static UpdateProbe.Inputs inputs;
    static Path edge;

    @BeforeAll
    static void models() throws Exception {
        VocDataset scenes = TestData.scenes(dir.resolve("data"), 8);
        Map<String, Path> m = TestData.tinyTutorAndEdge(dir.resolve("m"), scenes);
        edge = m.get("edge");
        Checkpoint tutor = Checkpoint.read(m.get("tutor"));
        Random r = new Random(5);
        List<TensorFile.Tensor> moved = new ArrayList<>();
        for (TensorFile.Tensor t : tutor.weights()) {
            float[] v = t.data().clone();
            if (FcosDetector.isNeckOrHead(t.name())) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (r.nextGaussian() * 1e-3);
                }
            }
            moved.add(new TensorFile.Tensor(t.name(), t.shape(), v));
        }
        Path tutor2 = dir.resolve("tutor2.ckpt");
        Checkpoint.write(tutor2, tutor.manifest(), moved, null);
        inputs = new UpdateProbe.Inputs(m.get("tutor"), m.get("tutor"), tutor2, dir.resolve("data"), "test",
                List.of("coat"), 1.0, 1.0);
    }

    @Test
    void everyFormIsMeasuredAndTheCompactOnesAreSmaller() throws Exception {
        Path out = dir.resolve("forms");
        String md = DeltaFormsBenchmark.run(new DeltaFormsBenchmark.Settings(inputs, List.of(0.01, 0.05), out));
        assertTrue(md.contains("sparse 0.01") && md.contains("int8"), md);
        JsonNode rows = ConfigFiles.JSON.readTree(out.resolve("results.json").toFile()).get("rows");
        assertEquals(7, rows.size());
        Map<String, JsonNode> by = new java.util.HashMap<>();
        rows.forEach(x -> by.put(x.get("form").asText(), x));
        long f32 = by.get("float32").get("bytes").asLong();
        assertEquals(0, by.get("float32").get("relativeError").asDouble(), "float32 is exact");
        assertTrue(by.get("float16").get("bytes").asLong() < 0.55 * f32);
        assertTrue(by.get("int8").get("bytes").asLong() < 0.3 * f32);
        assertTrue(by.get("sparse 0.01").get("bytes").asLong() < by.get("sparse 0.05").get("bytes").asLong());
        assertTrue(by.get("sparse 0.05").get("bytes").asLong() < 0.15 * f32);
        assertTrue(by.get("sparse 0.01").get("relativeError").asDouble()
                > by.get("sparse 0.05").get("relativeError").asDouble(), "keeping less loses more");
        assertTrue(by.get("float16").get("relativeError").asDouble() < 1e-3);
        assertTrue(by.get("sparse-int8 0.05").get("bytes").asLong() < by.get("sparse 0.05").get("bytes").asLong());
        assertTrue(Files.exists(out.resolve("results.md")));
        assertTrue(Files.size(out.resolve("per-class-ap.png")) > 1000, "the per-class chart is drawn");
    }

    @Test
    void moreNoiseGivesASmallerEpsilonAndDistillCIsEvaluatedWhenAsked() throws Exception {
        Path out = dir.resolve("privacy");
        DeltaPrivacyBenchmark.run(new DeltaPrivacyBenchmark.Settings(inputs, 0.05, List.of(0.5, 2.0), 1e-5, 1,
                DeltaEncoding.FLOAT16, new DeltaPrivacyBenchmark.DistillC(edge, "tiny/edge", "train",
                        CloudConfig.DEFAULTS.with(Map.of("distillCEpochs", 1, "addedClassKnowledge", "unlabelled"))), out));
        JsonNode rows = ConfigFiles.JSON.readTree(out.resolve("results.json").toFile()).get("rows");
        assertEquals(3, rows.size());
        assertTrue(rows.get(0).get("epsilon").isNull(), "no DP, no epsilon");
        double e1 = rows.get(1).get("epsilon").asDouble();
        double e2 = rows.get(2).get("epsilon").asDouble();
        assertTrue(e1 > e2 && e2 > 0, e1 + " then " + e2);
        // the noise dominates a clipped delta of norm 0.05 spread over many values
        assertTrue(rows.get(2).get("uploadedNorm").asDouble() > rows.get(1).get("uploadedNorm").asDouble());
        assertTrue(rows.get(1).get("uploadedNorm").asDouble() > rows.get(0).get("uploadedNorm").asDouble());
        for (JsonNode r : rows) {
            assertNotNull(r.get("edgeMap").numberValue(), "Distill C's edge model was evaluated: " + r);
            assertTrue(r.get("pseudoLabels").isInt(), "without the added class's labels, its pseudo-labels are counted: " + r);
        }
        assertNull(ConfigFiles.JSON.readTree(out.resolve("results.json").toFile()).get("dwBeforeClipping"));
    }

    @Test
    void everyMergeIsGatedAndOneAfterTheOtherIsTheTutorPlusEveryDelta() throws Exception {
        UpdateProbe probe = new UpdateProbe(inputs);
        List<TensorFile.Tensor> dw = probe.difference();
        List<TensorFile.Tensor> doubled = dw.stream().map(t -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] *= -2;
            }
            return new TensorFile.Tensor(t.name(), t.shape(), v);
        }).toList();
        Path d1 = customerDelta("coat", 40, dw);
        Path d2 = customerDelta("sneaker", 10, doubled);
        Path out = dir.resolve("merge");
        DeltaMergeBenchmark.run(new DeltaMergeBenchmark.Settings(inputs.tutor(), List.of(d1, d2), dir.resolve("data"),
                "test", GatePolicy.DEFAULTS, "test", 1.0, out));
        JsonNode rows = ConfigFiles.JSON.readTree(out.resolve("results.json").toFile()).get("rows");
        List<String> names = new ArrayList<>();
        rows.forEach(r -> names.add(r.get("update").asText()));
        assertEquals(List.of("customer 1 (adds coat) alone", "customer 2 (adds sneaker) alone",
                "merged, weighted by images", "merged, per class", "merged, equal weights",
                "one after the other (tutor + sum)"), names);
        assertEquals(2.0, rows.get(5).get("lambda").asDouble());
        assertEquals(List.of("coat", "sneaker"), ConfigFiles.JSON.convertValue(rows.get(5).get("added"), List.class));
        for (JsonNode r : rows) {
            assertTrue(r.get("accepted").isBoolean() && r.get("reasons").size() > 0, "a gate decision with reasons: " + r);
        }
        // the tutor plus both deltas, as Eq. 10 applied twice gives: W + dW - 2 dW = W - dW
        Map<String, TensorFile.Tensor> sequential = TensorFile.byName(
                Checkpoint.read(out.resolve("updates/update-5.ckpt")).weights());
        Map<String, TensorFile.Tensor> tutor = TensorFile.byName(Checkpoint.read(inputs.tutor()).weights());
        TensorFile.Tensor d = dw.get(0);
        float[] want = tutor.get(d.name()).data().clone();
        for (int i = 0; i < want.length; i++) {
            want[i] -= d.data()[i];
        }
        float[] got = sequential.get(d.name()).data();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5, d.name() + "[" + i + "]");
        }
        // weighted by private images 40 : 10, so the merged delta is 0.8 dW + 0.2 (-2 dW) = 0.4 dW
        KnowledgeDelta weighted = KnowledgeDelta.read(out.resolve("updates/merged-weighted.delta"));
        assertEquals(0.4 * d.data()[0], TensorFile.byName(weighted.tensors()).get(d.name()).data()[0], 1e-6);
    }

    @Test
    void withoutPrivateImageCountsTheRowsWeightedByThemAreLeftOut() throws Exception {
        List<TensorFile.Tensor> dw = new UpdateProbe(inputs).difference();
        Path out = dir.resolve("merge-uncounted");
        DeltaMergeBenchmark.run(new DeltaMergeBenchmark.Settings(inputs.tutor(),
                List.of(customerDelta("coat", 40, dw), customerDelta("sneaker", null, dw)), dir.resolve("data"), "test",
                GatePolicy.DEFAULTS, "test", 1.0, out));
        List<String> names = new ArrayList<>();
        ConfigFiles.JSON.readTree(out.resolve("results.json").toFile()).get("rows")
                .forEach(r -> names.add(r.get("update").asText()));
        assertEquals(List.of("customer 1 (adds coat) alone", "customer 2 (adds sneaker) alone", "merged, equal weights",
                "one after the other (tutor + sum)"), names);
        assertTrue(Files.readString(out.resolve("results.md")).contains("unknown private images"));
    }

    /**
     * A customer's delta adding {@code added}, with {@code images} private images (RD A's minus RD B's), or no
     * data counts at all when null.
     */
    private static Path customerDelta(String added, Integer images, List<TensorFile.Tensor> tensors) throws Exception {
        DeltaManifest m = new UpdateProbe(inputs).manifest("test");
        m = new DeltaManifest(m.format(), m.created(), m.baseTutorId(), m.baseTutorSha256(), m.classes(), List.of(added),
                List.of(), m.gamma(), m.parts(), m.dtype(), images == null ? null : Map.of("rdA",
                Map.of("images", 100 + images), "rdB", Map.of("images", 100)), 0, 0, 0, null, m.provenance());
        Path file = dir.resolve("customer-" + added + ".delta");
        KnowledgeDelta.write(file, m, tensors, DeltaEncoding.FLOAT32);
        return file;
    }
}
