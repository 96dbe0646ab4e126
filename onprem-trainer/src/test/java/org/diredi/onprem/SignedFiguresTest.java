package org.diredi.onprem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.stage.Stages;
import org.diredi.messaging.Ed25519;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The customer's figures: both tutors measured on the private validation split as the project's evaluator
 * measures them (the updated one by Eq. 10 at the figures' lambda), signed with the PC's key over the delta's
 * hashes and written into the delta, its tensors untouched; OnPremTrainer adds them when onprem.yaml names a key.
 */
class SignedFiguresTest {

    @TempDir
    Path dir;

    /** A delta of {@code scale} x the tutor's own neck and head weights, so Eq. 10 at lambda 1 gives (1+scale) W. */
    private static KnowledgeDelta delta(Checkpoint tutor, float scale, Path file) throws Exception {
        List<TensorFile.Tensor> d = tutor.weights().stream().filter(t -> FcosDetector.isNeckOrHead(t.name()))
                .map(t -> {
                    float[] v = t.data().clone();
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= scale;
                    }
                    return new TensorFile.Tensor(t.name(), t.shape(), v);
                }).toList();
        return KnowledgeDelta.write(file, new DeltaManifest(null, null, tutor.manifest().id(),
                tutor.manifest().weightsSha256(), ClassList.FASHION.names(), List.of("bag"), List.of(), 1.0,
                "neck+head", null, Map.of(), 0, 0, 0, null, Map.of()), d, false);
    }

    @Test
    void figuresAreTheEvaluatorsOnBothTutorsSignedOverTheDeltaAndWrittenIntoIt() throws Exception {
        VocDataset scenes = TestData.scenes(dir.resolve("data"), 8);
        Path tutor = TestData.tinyTutorAndEdge(dir.resolve("m"), scenes).get("tutor");
        VocDataset val = VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION);
        Checkpoint t0 = Checkpoint.read(tutor);
        Device cpu = Device.cpu();

        KnowledgeDelta zero = delta(t0, 0f, dir.resolve("zero.delta"));
        CustomerFigures same = SignedFigures.measure(tutor, zero, 1.0, val, cpu, dir.resolve("w"));
        EvalResult direct = Stages.evaluate(tutor, val, null, cpu,
                EvalConfig.DEFAULT.withScoreThreshold(GatePolicy.DEPLOYMENT_SCORE_THRESHOLD));
        assertEquals(val.size(), same.images());
        assertFalse(same.before().isEmpty(), "the split has objects");
        for (ClassResult c : direct.classes()) {
            if (c.hasGroundTruth()) {
                assertEquals(c.ap(), same.before().get(c.name()).ap(), 1e-12, c.name());
                assertEquals(c.numGt(), same.objects().get(c.name()));
            }
        }
        assertEquals(same.before(), same.after(), "a zero delta leaves the tutor as it was");

        // lambda is Eq. 10's: a delta of -W at lambda 0.5 halves the neck and head, as a checkpoint made by hand does
        KnowledgeDelta minus = delta(t0, -1f, dir.resolve("minus.delta"));
        CustomerFigures half = SignedFigures.measure(tutor, minus, 0.5, val, cpu, dir.resolve("w"));
        Path byHand = dir.resolve("half.ckpt");
        Checkpoint.write(byHand, t0.manifest().derived("half", tutor.toString(), "test").build(),
                minus.applyTo(t0.weights(), 0.5, "tutor"), null);
        EvalResult expected = Stages.evaluate(byHand, val, null, cpu,
                EvalConfig.DEFAULT.withScoreThreshold(GatePolicy.DEPLOYMENT_SCORE_THRESHOLD));
        for (ClassResult c : expected.classes()) {
            if (c.hasGroundTruth()) {
                assertEquals(c.ap(), half.after().get(c.name()).ap(), 1e-12, c.name());
                assertEquals(c.f1(), half.after().get(c.name()).f1(), 1e-12, c.name());
            }
        }
        assertEquals(0.5, half.lambda());

        // OnPremTrainer signs them with the key onprem.yaml names and writes them into the delta
        KeyPair key = Ed25519.generate();
        Ed25519.writePrivateKey(dir.resolve("customer.key.pem"), key.getPrivate());
        OnPremConfig c = OnPremConfig.DEFAULTS.with(Map.of("customer", "acme", "privateData",
                dir.resolve("data").toString(), "presumed", List.of("tshirt", "trouser", "dress", "sandal"),
                "added", List.of("bag"), "tutor", tutor.toString(), "workDir", dir.resolve("w").toString(),
                "signingKey", dir.resolve("customer.key.pem").toString(), "privateValidationSplit", "val"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OnPremTrainer trainer = new OnPremTrainer(c, new PrintStream(printed, true, StandardCharsets.UTF_8));
        KnowledgeDelta plain = delta(t0, 0.01f, dir.resolve("update.delta"));
        ReverseDistillation.Outcome rd = new ReverseDistillation.Outcome(null, null, dir.resolve("update.delta"), plain);
        ReverseDistillation.Outcome signed = trainer.withFigures(rd, ClassList.FASHION);
        DeltaManifest m = KnowledgeDelta.read(dir.resolve("update.delta")).manifest();
        CustomerFigures f = m.customerFigures();
        assertNotNull(f, "written into the delta file");
        assertEquals(plain.manifest().tensorsSha256(), m.tensorsSha256(), "the tensors are untouched");
        assertEquals(Ed25519.keyId(key.getPublic()), f.keyId());
        assertTrue(Ed25519.verify(key.getPublic(), f.signedBytes(m.tensorsSha256(), m.baseTutorSha256()),
                Base64.getDecoder().decode(f.signature())));
        assertFalse(Ed25519.verify(key.getPublic(), f.signedBytes("other", m.baseTutorSha256()),
                Base64.getDecoder().decode(f.signature())), "bound to this delta's tensors");
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("signed with key " + f.keyId()), printed.toString());
        assertSame(signed, trainer.withFigures(signed, ClassList.FASHION), "a rerun keeps the figures it has");

        KnowledgeDelta.write(dir.resolve("w/none.delta"), plain.manifest(), plain.tensors(), false);
        ReverseDistillation.Outcome none = new ReverseDistillation.Outcome(null, null, dir.resolve("w/none.delta"),
                KnowledgeDelta.read(dir.resolve("w/none.delta")));
        printed.reset();
        assertSame(none, new OnPremTrainer(c.with(Map.of("privateValidationSplit", "nosuch")),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).withFigures(none, ClassList.FASHION));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("no figures with the delta (privateValidationSplit"
                + " nosuch"), printed.toString());
        assertNull(KnowledgeDelta.read(dir.resolve("w/none.delta")).manifest().customerFigures());

        Checkpoint other = Checkpoint.read(TestData.tinyTutorAndEdge(dir.resolve("m"), scenes).get("edge"));
        KnowledgeDelta foreign = KnowledgeDelta.write(dir.resolve("foreign.delta"), new DeltaManifest(null, null,
                other.manifest().id(), other.manifest().weightsSha256(), ClassList.FASHION.names(), List.of("bag"),
                List.of(), 1.0, "neck+head", null, Map.of(), 0, 0, 0, null, Map.of()), zero.tensors(), false);
        var e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> SignedFigures.measure(tutor, foreign, 1.0, val, cpu, dir.resolve("w")));
        assertTrue(e.getMessage().contains("the delta was made for tutor"), e.getMessage());
    }
}
