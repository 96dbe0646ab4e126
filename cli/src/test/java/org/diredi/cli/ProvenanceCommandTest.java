package org.diredi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.WeightSubstitution;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.provenance.Provenance;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.export.ExportManifest;
import org.diredi.export.OnnxExporter;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diredi provenance} on a small DiReDi chain: base tutor (trained) -> tutor 1, tutor 2 -> delta ->
 * updated tutor (Eq. 10) -> Distill C edge model -> ONNX export.
 */
class ProvenanceCommandTest {

    @TempDir
    static Path tmp;

    static Manifest base;
    static Manifest tutor1;
    static Manifest tutor2;
    static KnowledgeDelta delta;
    static Manifest updated;
    static Manifest edge;
    static ExportManifest export;
    static Path onnx;

    @BeforeAll
    static void chain() throws IOException {
        VocDataset data = TestData.scenes(tmp.resolve("scenes"), 4);
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(2);
        Path basePath = Stages.run(Stages.Stage.direct("tutor", TestData.SMALL, one, data), ClassList.FASHION,
                tmp.resolve("base")).checkpoint();
        Checkpoint b = Checkpoint.read(basePath);
        base = b.manifest();
        tutor1 = Checkpoint.write(tmp.resolve("t1.ckpt"), base.derived("tutor1", basePath.toString(), "start").build(),
                DeltaGateCommandTest.perturb(b.weights(), 1), null);
        tutor2 = Checkpoint.write(tmp.resolve("t2.ckpt"), base.derived("tutor2", basePath.toString(), "start").build(),
                DeltaGateCommandTest.perturb(b.weights(), 2), null);
        Path deltaPath = tmp.resolve("u.delta");
        KnowledgeDelta.write(deltaPath, new DeltaManifest(null, null, base.id(), base.weightsSha256(), base.classes(),
                List.of(), List.of(), 1, "neck+head", null, Map.of(), 0, 0, 0, null, Map.of())
                        .withLineage(KnowledgeDelta.lineage(base, tutor1, tutor2, Map.of("gamma", "1"))),
                KnowledgeDelta.difference(Checkpoint.read(tmp.resolve("t2.ckpt")).weights(),
                        Checkpoint.read(tmp.resolve("t1.ckpt")).weights(), 1, KnowledgeDelta.parts(false)), false);
        delta = KnowledgeDelta.read(deltaPath);
        Path updatedPath = tmp.resolve("updated.ckpt");
        updated = WeightSubstitution.apply(basePath, delta, 0.5, updatedPath);
        Path edgePath = Stages.run(Stages.Stage.direct("edge", TestData.SMALL, one, data)
                .distilledFrom(updatedPath, FgdConfig.DEFAULTS), ClassList.FASHION, tmp.resolve("distill-C"))
                .checkpoint();
        edge = Checkpoint.read(edgePath).manifest();
        onnx = tmp.resolve("export").resolve("edge.onnx");
        Files.createDirectories(onnx.getParent());
        export = OnnxExporter.export(edgePath, onnx, OnnxExporter.DEFAULT_OPSET);
    }

    @Test
    void eq10sUpdatedTutorNamesItsBaseTutorAndTheDeltaWithLambda() {
        Provenance p = updated.provenance();
        assertEquals(List.of("base tutor", "delta"), p.parents().stream().map(Provenance.Parent::relation).toList());
        assertEquals(base.id(), p.parents().get(0).id());
        assertEquals(delta.manifest().tensorsSha256(), p.parents().get(1).sha256());
        assertEquals(delta.manifest().lineage(), p.parents().get(1).provenance());
        assertEquals("0.5", p.settings().get("lambda"));
        assertEquals(List.of("base tutor", "tutor1", "tutor2"), delta.manifest().lineage().parents().stream()
                .map(Provenance.Parent::relation).toList());
        assertEquals(tutor2.provenance(), delta.manifest().lineage().parents().get(2).provenance());
    }

    @Test
    void anExportNestsTheCheckpointItWasMadeFrom() {
        Provenance p = ExportManifest.read(ExportManifest.pathFor(onnx)).provenance();
        assertEquals(export.onnxSha256(), p.sha256());
        assertEquals("fp32", p.settings().get("precision"));
        assertEquals(edge.id(), p.parents().get(0).id());
        assertEquals(edge.provenance(), p.parents().get(0).provenance());
    }

    @Test
    void printsEveryLevelFromTheExportBackToTheData() {
        var r = BadInputTest.run("provenance", onnx.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        List<String> lines = out.lines().toList();
        int level = -1;
        int at = 0;
        for (String id : List.of(export.onnxSha256().substring(0, 16), edge.id(), updated.id(),
                delta.manifest().tensorsSha256().substring(0, 16), tutor2.id(), base.id())) {
            while (at < lines.size() && !lines.get(at).contains(" " + id + " (")) {
                at++;
            }
            assertTrue(at < lines.size(), id + " missing below the level before it in\n" + out);
            String line = lines.get(at);
            int indent = line.length() - line.stripLeading().length();
            assertTrue(indent > level, "each parent one level deeper: " + line + "\n" + out);
            level = indent;
        }
        assertTrue(out.contains("delta: delta ") && out.contains("tutor1: checkpoint " + tutor1.id()), out);
        assertTrue(out.contains(base.provenance().data().get(0).sha256()), "the base tutor's split hash\n" + out);
        assertTrue(out.contains("lambda 0.5"), out);
        assertEquals(1, out.lines().filter(l -> l.contains(base.id() + " (tutor), 20")).count(),
                "the base tutor is expanded once, then named\n" + out);
    }

    @Test
    void printsTheTreeAsJson() throws IOException {
        var r = BadInputTest.run("provenance", "--json", tmp.resolve("export").toString());
        assertEquals(0, r.code(), r.err());
        Provenance p = ConfigFiles.JSON.readValue(r.out(), Provenance.class);
        assertEquals(export.provenance(), p);
        Provenance updatedTutor = p.parents().get(0).provenance().parents().get(0).provenance();
        assertEquals(updated.provenance(), updatedTutor);
    }

    @Test
    void aReleaseIsReadThroughItsSignedUpdate() throws IOException {
        Path artifact = tmp.resolve("release").resolve("edge-v2.onnx");
        Files.createDirectories(artifact.getParent());
        Provenance release = Provenance.of("release", "edge v2", List.of(), Map.of("gate", "accepted"),
                List.of(export.asParent("export"))).identified(export.onnxSha256(), "2026-01-01T00:00:00Z");
        Files.writeString(artifact.resolveSibling("edge-v2.onnx.provenance.json"), ConfigFiles.toJson(release));
        Files.writeString(artifact.resolveSibling("edge-v2.onnx.signed.json"), "{}");
        var r = BadInputTest.run("provenance", artifact.resolveSibling("edge-v2.onnx.signed.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("release ") && r.out().contains("gate accepted") && r.out().contains(base.id()),
                r.out());
    }

    @Test
    void anOldCheckpointPrintsUnknownAndAStrangerFileIsOneLineExit2() throws IOException {
        Path old = tmp.resolve("old.ckpt");
        Checkpoint.write(old, new Manifest(null, null, null, "tutor", TestData.SMALL, ClassList.FASHION.names(),
                null, TrainConfig.DEFAULTS, null, null, new Manifest.Progress(1, 1, 1), null, Map.of(), null),
                Checkpoint.read(tmp.resolve("t1.ckpt")).weights(), null);
        var r = BadInputTest.run("provenance", old.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("provenance unknown"), r.out());
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "hello");
        var bad = BadInputTest.run("provenance", notes.toString());
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains(notes.toString()), bad.err());
        Path corrupt = tmp.resolve("corrupt.ckpt");
        Files.writeString(corrupt, "not a zip");
        var c = BadInputTest.run("provenance", corrupt.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains(corrupt.toString()) && c.err().strip().lines().count() == 1, c.err());
    }
}
