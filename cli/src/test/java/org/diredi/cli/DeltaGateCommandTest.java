package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.checkpoint.ModelWeights;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.data.ClassList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** delta create / inspect / apply and gate, end to end through the command line. */
class DeltaGateCommandTest {

    @TempDir
    static Path tmp;

    static Path base;
    static Path tutor1;
    static Path tutor2;
    static Path data;

    static Path write(String name, List<TensorFile.Tensor> w) throws IOException {
        Path f = tmp.resolve(name);
        Checkpoint.write(f, new Manifest(null, null, null, "tutor", TestData.SMALL, ClassList.FASHION.names(),
                new Manifest.DataInfo("d", "train", null, 5, 9), TrainConfig.DEFAULTS, null, null,
                new Manifest.Progress(1, 1, 1), null, Map.of(), null), w, null);
        return f;
    }

    static List<TensorFile.Tensor> perturb(List<TensorFile.Tensor> w, long seed) {
        Random r = new Random(seed);
        return w.stream().map(t -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (r.nextGaussian() * 1e-3);
            }
            return new TensorFile.Tensor(t.name(), t.shape(), v);
        }).toList();
    }

    @BeforeAll
    static void tutors() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            List<TensorFile.Tensor> w = ModelWeights.snapshot(new FcosDetector(TestData.SMALL, ClassList.FASHION).init(m));
            base = write("base.ckpt", w);
            tutor1 = write("t1.ckpt", perturb(w, 1));
            tutor2 = write("t2.ckpt", perturb(w, 2));
        }
        data = tmp.resolve("scenes");
        TestData.scenes(data, 2);
    }

    @Test
    void createInspectApplyAndGate() throws IOException {
        Path delta = tmp.resolve("u.delta");
        var c = BadInputTest.run("delta", "create", "--tutor1", tutor1.toString(), "--tutor2", tutor2.toString(),
                "--base", base.toString(), "--added", "coat", "--out", delta.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("neck+head") && c.out().contains("[coat]"), c.out());
        var i = BadInputTest.run("delta", "inspect", delta.toString());
        assertEquals(0, i.code(), i.err());
        Path updated = tmp.resolve("updated.ckpt");
        var a = BadInputTest.run("delta", "apply", "--tutor", base.toString(), "--delta", delta.toString(), "--out",
                updated.toString());
        assertEquals(0, a.code(), a.err());
        Checkpoint u = Checkpoint.read(updated);
        assertEquals(Checkpoint.read(base).manifest().id(), u.manifest().parent().id());
        // the delta was made against "base": applying it to tutor 1 is refused, naming both
        var wrong = BadInputTest.run("delta", "apply", "--tutor", tutor1.toString(), "--delta", delta.toString(),
                "--out", tmp.resolve("x.ckpt").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("u.delta") && wrong.err().contains("made for tutor"), wrong.err());
        assertTrue(!Files.exists(tmp.resolve("x.ckpt")));
        // gate: random tutors detect nothing, so the added class gains nothing -> rejected (exit 10)
        var g = BadInputTest.run("gate", "--before", base.toString(), "--after", updated.toString(), "--delta",
                delta.toString(), "--data", data.toString(), "--split", "test", "--out", tmp.resolve("gate").toString());
        assertEquals(10, g.code(), g.out() + g.err());
        assertTrue(Files.readString(tmp.resolve("gate/gate.md")).contains("REJECTED"));
        assertTrue(Files.exists(tmp.resolve("gate/gate.json")));
    }

    /** Every form through delta inspect / apply; a delta with a bad int8 scale is refused and nothing is written. */
    @Test
    void everyFormIsAppliedAndABadOneIsRefusedWithNothingWritten() throws IOException {
        Checkpoint b = Checkpoint.read(base);
        var dw = org.diredi.core.delta.KnowledgeDelta.difference(Checkpoint.read(tutor2).weights(),
                Checkpoint.read(tutor1).weights(), 1.0, org.diredi.core.delta.KnowledgeDelta.parts(false));
        var m = new org.diredi.core.delta.DeltaManifest(null, null, b.manifest().id(), b.manifest().weightsSha256(),
                ClassList.FASHION.names(), List.of("coat"), List.of(), 1.0, "neck+head", null, Map.of(), 0, 0, 0, null,
                Map.of());
        for (var e : List.of(org.diredi.core.delta.DeltaEncoding.sparse(0.05), org.diredi.core.delta.DeltaEncoding.INT8)) {
            Path f = tmp.resolve(e.form().id() + ".delta");
            org.diredi.core.delta.KnowledgeDelta.write(f, m, dw, e);
            var i = BadInputTest.run("delta", "inspect", f.toString());
            assertTrue(i.code() == 0 && i.out().contains(e.form().id()), i.out() + i.err());
            var a = BadInputTest.run("delta", "apply", "--tutor", base.toString(), "--delta", f.toString(), "--out",
                    tmp.resolve(e.form().id() + ".ckpt").toString());
            assertEquals(0, a.code(), a.err());
        }
        // the int8 delta with its first tensor's scale set to 0, its hash made to match: refused before Eq. 10
        Path good = tmp.resolve("int8.delta");
        var entries = new java.util.LinkedHashMap<>(org.diredi.core.checkpoint.Bundle.read(good, "delta"));
        byte[] t = entries.get("delta.tensors").clone();
        String first = dw.get(0).name();
        int at = 13 + 2 + first.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4 + 8 * dw.get(0).shape().length;
        java.nio.ByteBuffer.wrap(t).putFloat(at, 0f);
        String json = new String(entries.get("delta.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace(TensorFile.sha256(entries.get("delta.tensors")), TensorFile.sha256(t));
        entries.put("delta.tensors", t);
        entries.put("delta.json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path bad = tmp.resolve("bad-scale.delta");
        org.diredi.core.checkpoint.Bundle.write(bad, entries);
        Path out = tmp.resolve("bad.ckpt");
        var r = BadInputTest.run("delta", "apply", "--tutor", base.toString(), "--delta", bad.toString(), "--out",
                out.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("bad-scale.delta") && r.err().contains(first) && r.err().contains("int8 scale 0.0"),
                r.err());
        assertTrue(!Files.exists(out), "nothing applied");
    }

    @Test
    void mergeWritesOneDeltaOfTheSameBaseAndRefusesOthersNamingThem() throws IOException {
        Path a = tmp.resolve("a.delta");
        Path b = tmp.resolve("b.delta");
        Path foreign = tmp.resolve("foreign.delta");
        BadInputTest.run("delta", "create", "--tutor1", tutor1.toString(), "--tutor2", tutor2.toString(),
                "--base", base.toString(), "--added", "coat", "--out", a.toString());
        BadInputTest.run("delta", "create", "--tutor1", tutor2.toString(), "--tutor2", tutor1.toString(),
                "--base", base.toString(), "--removed", "bag", "--out", b.toString());
        BadInputTest.run("delta", "create", "--tutor1", tutor1.toString(), "--tutor2", tutor2.toString(),
                "--base", tutor1.toString(), "--out", foreign.toString());
        Path merged = tmp.resolve("merged.delta");
        var m = BadInputTest.run("delta", "merge", a.toString(), b.toString(), "--strategy", "perClass",
                "--weight", "equal", "--out", merged.toString());
        assertEquals(0, m.code(), m.err());
        var md = org.diredi.core.delta.KnowledgeDelta.read(merged).manifest();
        assertEquals(List.of("coat"), md.classesAdded());
        assertEquals(List.of("bag"), md.classesRemoved());
        assertEquals(a + "," + b, md.provenance().get("mergedFrom"));
        // a and b are opposite (t2 - t1, t1 - t2): their equal-weight mean is zero except coat's class rows
        var t = TensorFile.byName(org.diredi.core.delta.KnowledgeDelta.read(merged).tensors());
        var ta = TensorFile.byName(org.diredi.core.delta.KnowledgeDelta.read(a).tensors());
        String bias = "03head_03clsLogits_bias";
        int coat = ClassList.FASHION.indexOf("coat");
        assertEquals(ta.get(bias).data()[coat], t.get(bias).data()[coat], 1e-6);
        assertEquals(0, t.get(bias).data()[(coat + 1) % ClassList.FASHION.size()], 1e-6);
        // both tutors trained on the same 5 images: no private images to weigh them by
        var byImages = BadInputTest.run("delta", "merge", a.toString(), b.toString(), "--out",
                tmp.resolve("m2.delta").toString());
        assertEquals(2, byImages.code());
        assertTrue(byImages.err().contains("a.delta") && byImages.err().contains("private images"), byImages.err());
        var other = BadInputTest.run("delta", "merge", a.toString(), foreign.toString(), "--weight", "equal", "--out",
                tmp.resolve("m3.delta").toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("foreign.delta") && other.err().contains("different base tutors"), other.err());
        var strategy = BadInputTest.run("delta", "merge", a.toString(), b.toString(), "--strategy", "fedavg", "--out",
                tmp.resolve("m4.delta").toString());
        assertEquals(2, strategy.code());
        assertTrue(strategy.err().contains("--strategy"), strategy.err());
        assertTrue(!Files.exists(tmp.resolve("m2.delta")) && !Files.exists(tmp.resolve("m3.delta")));
        // cloud merge: either a file to write or --decide, never both, before any file is read
        var neither = BadInputTest.run("cloud", "merge", "--config", "no-such.yaml", "--customer", "acme");
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("either --out FILE, or --decide"), neither.err());
    }
}
