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
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.diredi.core.TestData;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.eval.ClassBiasCalibration;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.model.FcosDetector;
import org.diredi.core.stage.Stages;
import org.diredi.messaging.Ed25519;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.junit.jupiter.api.BeforeEach;
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

    private final Device cpu = Device.cpu();
    private Path tutor;
    private Checkpoint t0;
    private VocDataset train;
    private VocDataset val;

    /** A tiny tutor trained on scenes written to {@code dir}/data, and their splits. */
    @BeforeEach
    void tutorAndSplits() throws Exception {
        train = TestData.scenes(dir.resolve("data"), 8);
        val = VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION);
        tutor = TestData.tinyTutorAndEdge(dir.resolve("m"), train).get("tutor");
        t0 = Checkpoint.read(tutor);
    }

    @Test
    void figuresAreTheEvaluatorsOnBothTutorsSignedOverTheDeltaAndWrittenIntoIt() throws Exception {

        KnowledgeDelta zero = delta(t0, 0f, dir.resolve("zero.delta"));
        CustomerFigures same = SignedFigures.measure(tutor, zero, 1.0, val, null, cpu, dir.resolve("w"));
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
        assertTrue(same.shifts().isEmpty(), "no training data, no shifts");

        // lambda is Eq. 10's: a delta of -W at lambda 0.5 halves the neck and head, as a checkpoint made by hand does
        KnowledgeDelta minus = delta(t0, -1f, dir.resolve("minus.delta"));
        CustomerFigures half = SignedFigures.measure(tutor, minus, 0.5, val, null, cpu, dir.resolve("w"));
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
        ReverseDistillation.Outcome signed = trainer.withFigures(rd, ClassList.FASHION, train);
        DeltaManifest m = KnowledgeDelta.read(dir.resolve("update.delta")).manifest();
        CustomerFigures f = m.customerFigures();
        assertNotNull(f, "written into the delta file");
        assertEquals(List.of("bag"), List.copyOf(f.shifts().keySet()), "a shift for the added class only");
        assertEquals(plain.manifest().tensorsSha256(), m.tensorsSha256(), "the tensors are untouched");
        assertEquals(Ed25519.keyId(key.getPublic()), f.keyId());
        assertTrue(Ed25519.verify(key.getPublic(), f.signedBytes(m.tensorsSha256(), m.baseTutorSha256()),
                Base64.getDecoder().decode(f.signature())));
        assertFalse(Ed25519.verify(key.getPublic(), f.signedBytes("other", m.baseTutorSha256()),
                Base64.getDecoder().decode(f.signature())), "bound to this delta's tensors");
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("signed with key " + f.keyId()), printed.toString());
        assertSame(signed, trainer.withFigures(signed, ClassList.FASHION, train), "a rerun keeps the figures it has");

        KnowledgeDelta.write(dir.resolve("w/none.delta"), plain.manifest(), plain.tensors(), false);
        ReverseDistillation.Outcome none = new ReverseDistillation.Outcome(null, null, dir.resolve("w/none.delta"),
                KnowledgeDelta.read(dir.resolve("w/none.delta")));
        printed.reset();
        assertSame(none, new OnPremTrainer(c.with(Map.of("privateValidationSplit", "nosuch")),
                new PrintStream(printed, true, StandardCharsets.UTF_8)).withFigures(none, ClassList.FASHION, train));
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("no figures with the delta (privateValidationSplit"
                + " nosuch"), printed.toString());
        assertNull(KnowledgeDelta.read(dir.resolve("w/none.delta")).manifest().customerFigures());

        Checkpoint other = Checkpoint.read(TestData.tinyTutorAndEdge(dir.resolve("m"), train).get("edge"));
        KnowledgeDelta foreign = KnowledgeDelta.write(dir.resolve("foreign.delta"), new DeltaManifest(null, null,
                other.manifest().id(), other.manifest().weightsSha256(), ClassList.FASHION.names(), List.of("bag"),
                List.of(), 1.0, "neck+head", null, Map.of(), 0, 0, 0, null, Map.of()), zero.tensors(), false);
        var e = assertThrows(KnowledgeDelta.DeltaException.class,
                () -> SignedFigures.measure(tutor, foreign, 1.0, val, null, cpu, dir.resolve("w")));
        assertTrue(e.getMessage().contains("the delta was made for tutor"), e.getMessage());
    }

    @Test
    void theAddedClassesShiftIsFittedOnThePrivateTrainingDataMeasuredWithAndSigned() throws Exception {
        KnowledgeDelta d = delta(t0, 0.3f, dir.resolve("bag.delta"));
        CustomerFigures f = SignedFigures.measure(tutor, d, 1.0, val, train, cpu, dir.resolve("w"));

        // the same fit and the same evaluation done by hand: Eq. 10, the shift fitted on the training data, the
        // shifted tutor on the validation split
        Path eq10 = dir.resolve("eq10.ckpt");
        Checkpoint.write(eq10, t0.manifest().derived("eq10", tutor.toString(), "test").build(),
                d.applyTo(t0.weights(), 1.0, "tutor"), null);
        double t = GatePolicy.DEPLOYMENT_SCORE_THRESHOLD;
        double shift = ClassBiasCalibration.fit(eq10, train, List.of("bag"), t, cpu).get(0).delta();
        assertEquals(Map.of("bag", shift), f.shifts());
        Path shifted = dir.resolve("shifted.ckpt");
        Checkpoint.write(shifted, t0.manifest().derived("shifted", eq10.toString(), "test").build(),
                ClassBiasCalibration.shifted(d.applyTo(t0.weights(), 1.0, "tutor"), ClassList.FASHION,
                        Map.of("bag", shift)), null);
        EvalResult expected = Stages.evaluate(shifted, val, null, cpu, EvalConfig.DEFAULT.withScoreThreshold(t));
        for (ClassResult c : expected.classes()) {
            if (c.hasGroundTruth()) {
                assertEquals(c.f1(), f.after().get(c.name()).f1(), 1e-12, c.name());
                assertEquals(c.ap(), f.after().get(c.name()).ap(), 1e-12, c.name());
            }
        }
        // the signature covers the shift: the same figures with another shift sign other bytes
        CustomerFigures moved = new CustomerFigures(f.split(), f.images(), f.objects(), f.lambda(),
                f.scoreThreshold(), f.before(), f.after(), Map.of("bag", shift + 1), null, null);
        assertFalse(Arrays.equals(f.signedBytes("t", "b"), moved.signedBytes("t", "b")));
        CustomerFigures without = new CustomerFigures(f.split(), f.images(), f.objects(), f.lambda(),
                f.scoreThreshold(), f.before(), f.after(), null, null, null);
        assertFalse(new String(without.signedBytes("t", "b"), StandardCharsets.UTF_8).contains("shift."),
                "figures without shifts sign what they signed before shifts existed");
    }
}
