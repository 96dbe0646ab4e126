package org.diredi.core.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.distill.FgdConfig;
import org.diredi.core.stage.Stages;
import org.diredi.core.train.TrainConfig;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provenance on trained and distilled checkpoints: data hashes, machine facts, the teacher nested. */
class ProvenanceTest {

    @TempDir
    static Path tmp;

    static VocDataset data;
    static Path teacher;
    static Path student;

    @BeforeAll
    static void train() throws IOException {
        data = TestData.scenes(tmp.resolve("scenes"), 4);
        TrainConfig one = TrainConfig.DEFAULTS.withEpochs(1).withBatchSize(2);
        Stages.Stage direct = Stages.Stage.direct("tutor", TestData.SMALL, one, data);
        teacher = Stages.run(direct, ClassList.FASHION, tmp.resolve("teacher")).checkpoint();
        student = Stages.run(Stages.Stage.direct("edge", TestData.SMALL, one, data)
                .distilledFrom(teacher, FgdConfig.DEFAULTS), ClassList.FASHION, tmp.resolve("student")).checkpoint();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aTrainedCheckpointCarriesTheHashesOfItsSplitAndClassListAndTheMachine() throws Exception {
        Manifest m = Checkpoint.read(teacher).manifest();
        Provenance p = m.provenance();
        assertNotNull(p, "a trained checkpoint records its provenance");
        assertEquals(m.weightsSha256(), p.sha256());
        assertEquals(m.id(), p.id());
        Provenance.DataHash split = p.data().get(0);
        assertEquals(sha256(Files.readAllBytes(VocDataset.splitFile(data.root(), "train"))), split.sha256());
        assertEquals("ImageSets/Main/train.txt", split.source());
        assertEquals(4, split.count());
        Path classes = tmp.resolve("classes.txt");
        ClassList.FASHION.write(classes);
        assertEquals(sha256(Files.readAllBytes(classes)), p.data().get(1).sha256());
        Environment e = p.environment();
        assertEquals(System.getProperty("java.version"), e.java());
        assertEquals(System.getProperty("os.arch"), e.arch());
        assertEquals(ai.djl.engine.Engine.getDjlVersion(), e.djl());
        assertEquals(ai.djl.engine.Engine.getEngine("PyTorch").getVersion(), e.pytorch());
        assertTrue(e.diredi().matches("\\d+\\.\\d+.*"), "the project version, filtered in: " + e.diredi());
        assertTrue(p.parents().isEmpty(), "trained from random weights: no parent");
    }

    @Test
    void aDistilledCheckpointNestsItsTeachersProvenance() {
        Manifest t = Checkpoint.read(teacher).manifest();
        Provenance p = Checkpoint.read(student).manifest().provenance();
        Provenance.Parent parent = p.parents().get(0);
        assertEquals("teacher", parent.relation());
        assertEquals(t.id(), parent.id());
        assertEquals(t.provenance(), parent.provenance());
        assertEquals("fgd", p.settings().get("distillation"));
        String tree = ProvenanceTree.text(p);
        assertTrue(tree.contains("teacher: checkpoint " + t.id()) && tree.contains(t.provenance().data().get(0)
                .sha256()), tree);
        assertEquals(1, tree.lines().filter(l -> l.contains("made with")).count(),
                "one process made both: its software and machine are printed once\n" + tree);
    }

    @Test
    void changingTheSplitFileChangesItsHash() throws Exception {
        Path root = tmp.resolve("scenes");
        Provenance.DataHash before = DataHashes.split(VocDataset.load(root, "val", ClassList.FASHION));
        Path file = VocDataset.splitFile(root, "val");
        List<String> ids = VocDataset.readSplit(file);
        Files.writeString(file, ids.get(0) + "\n", StandardCharsets.UTF_8);
        Provenance.DataHash after = DataHashes.split(VocDataset.load(root, "val", ClassList.FASHION));
        assertNotEquals(before.sha256(), after.sha256());
        assertEquals(sha256(Files.readAllBytes(file)), after.sha256());
        Files.writeString(file, String.join("\n", ids) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void aSubsetOfASplitIsHashedByTheIdsItHolds() throws Exception {
        VocDataset sub = data.restrictTo(List.of(ClassList.FASHION.name(0), ClassList.FASHION.name(1)));
        Provenance.DataHash h = DataHashes.split(sub);
        List<String> ids = sub.images().stream().map(i -> i.id()).toList();
        assertEquals(sha256((String.join("\n", ids) + "\n").getBytes(StandardCharsets.UTF_8)), h.sha256());
    }

    @Test
    void anOldManifestWithoutProvenanceReadsAndPrintsUnknown() throws Exception {
        ObjectNode json = (ObjectNode) ConfigFiles.JSON.valueToTree(Checkpoint.read(teacher).manifest());
        json.remove("provenance");
        Manifest old = ConfigFiles.JSON.treeToValue(json, Manifest.class);
        assertNull(old.provenance());
        assertEquals(Checkpoint.read(teacher).manifest().weightsSha256(), old.weightsSha256());
        assertTrue(ProvenanceTree.text(old.provenance()).contains("unknown"));
        Provenance child = Provenance.of("checkpoint", "edge", List.of(), java.util.Map.of(),
                List.of(old.asParent("teacher")));
        assertTrue(ProvenanceTree.text(child).contains("teacher: " + old.id() + ", provenance unknown"),
                ProvenanceTree.text(child));
    }
}
