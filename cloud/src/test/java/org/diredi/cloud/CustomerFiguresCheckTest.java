package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.cloud.jobs.JobStore;
import org.diredi.cloud.update.AddedClassKnowledge;
import org.diredi.cloud.update.FiguresCheck;
import org.diredi.core.checkpoint.TensorFile;
import org.diredi.core.delta.CustomerFigures;
import org.diredi.core.delta.DeltaManifest;
import org.diredi.core.delta.KnowledgeDelta;
import org.diredi.core.gate.Firing;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.gate.GatePolicy;
import org.diredi.core.gate.VerificationGate;
import org.diredi.messaging.Ed25519;
import org.diredi.onprem.SignedFigures;
import org.diredi.vision.eval.ClassResult;
import org.diredi.vision.eval.EvalConfig;
import org.diredi.vision.eval.EvalResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The customer's signed figures on their way to the gate: the enrolled key's figures verify (through the delta
 * file) and the gate accepts on them; changed figures, figures moved to another delta, a foreign signer or a
 * customer without a key are refused with the reason, before anything is applied.
 */
class CustomerFiguresCheckTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "horse");

    @TempDir
    static Path dir;
    static KeyPair customerKey;

    @BeforeAll
    static void keys() {
        customerKey = Ed25519.generate();
        KeyPair manufacturer = Ed25519.generate();
        Ed25519.writePrivateKey(dir.resolve("m.pem"), manufacturer.getPrivate());
        Ed25519.writePublicKey(dir.resolve("m.pub.pem"), manufacturer.getPublic());
    }

    private static KnowledgeDelta delta(String name, float value) throws Exception {
        DeltaManifest m = new DeltaManifest(null, null, "base", "base-sha", CLASSES, List.of("dog"), List.of(), 1.0,
                "neck+head", null, Map.of(), 0, 0, 0, null, Map.of("customer", "acme"));
        return KnowledgeDelta.write(dir.resolve(name), m, List.of(new TensorFile.Tensor("head.w", new long[] {2},
                new float[] {value, -value})), false);
    }

    private static CustomerFigures measured(double dogAfter) {
        return new CustomerFigures("val", 12, Map.of("dog", 9), 1.0, 0.3,
                Map.of("dog", new CustomerFigures.ClassFigures(0.04, 0.1, 0.1, 0.1)),
                Map.of("dog", new CustomerFigures.ClassFigures(dogAfter, 0.8, 0.6, 0.6857)), null, null, null);
    }

    /** A delta file whose manifest carries {@code f}, read back as the cloud reads it. */
    private static KnowledgeDelta withFigures(String name, float value, CustomerFigures f) throws Exception {
        KnowledgeDelta d = delta(name, value);
        return KnowledgeDelta.rewriteManifest(dir.resolve(name), d.manifest().withCustomerFigures(f));
    }

    private static List<String> enrolled() {
        return List.of(Ed25519.encodePublic(Ed25519.generate().getPublic()), Ed25519.encodePublic(customerKey.getPublic()));
    }

    @Test
    void figuresSignedByTheEnrolledKeyVerifyAndTheGateAcceptsOnThem() throws Exception {
        KnowledgeDelta d = delta("good.delta", 0.1f);
        CustomerFigures signed = SignedFigures.sign(measured(0.52), d.manifest(), customerKey.getPrivate());
        KnowledgeDelta sent = KnowledgeDelta.rewriteManifest(dir.resolve("good.delta"),
                d.manifest().withCustomerFigures(signed));
        assertEquals(d.manifest().tensorsSha256(), sent.manifest().tensorsSha256(), "the tensors are untouched");
        assertEquals(Ed25519.keyId(customerKey.getPublic()), sent.manifest().customerFigures().keyId());
        assertTrue(sent.manifest().describe(Path.of("good.delta")).contains("customer figures on split val (12 images),"
                + " lambda 1.0, signed by key " + Ed25519.keyId(customerKey.getPublic())));
        assertNull(FiguresCheck.problem("acme", enrolled(), sent.manifest(), AddedClassKnowledge.UNLABELLED));
        GateDecision g = new VerificationGate.Evidence(CLASSES, table(), table(), Set.of("dog"), Set.of(),
                sent.manifest().customerFigures(), Map.of("dog", new Firing("dog", 50, 10, 12, true)))
                .decide(GatePolicy.DEFAULTS);
        assertTrue(g.accepted(), g.toMarkdown());
        assertTrue(g.rows().stream().anyMatch(r -> r.name().equals("dog")
                && r.evidence().startsWith(GateDecision.CUSTOMER_FIGURES)), g.toMarkdown());
    }

    @Test
    void changedFiguresFiguresOfAnotherDeltaAndAForeignSignerAreRefused() throws Exception {
        KnowledgeDelta d = delta("orig.delta", 0.1f);
        CustomerFigures signed = SignedFigures.sign(measured(0.52), d.manifest(), customerKey.getPrivate());
        CustomerFigures changed = new CustomerFigures(signed.split(), signed.images(), signed.objects(),
                signed.lambda(), signed.scoreThreshold(), signed.before(),
                Map.of("dog", new CustomerFigures.ClassFigures(0.62, 0.8, 0.6, 0.6857)), signed.shifts(), signed.keyId(),
                signed.signature());
        String tampered = FiguresCheck.problem("acme", enrolled(), withFigures("t.delta", 0.1f, changed).manifest(),
                AddedClassKnowledge.UNLABELLED);
        assertTrue(tampered != null && tampered.startsWith("customer acme: the figures' signature does not verify"),
                tampered);
        String moved = FiguresCheck.problem("acme", enrolled(), withFigures("m.delta", 0.3f, signed).manifest(),
                AddedClassKnowledge.UNLABELLED);
        assertTrue(moved != null && moved.contains("does not verify") && moved.contains("another delta"), moved);
        CustomerFigures foreign = SignedFigures.sign(measured(0.52), d.manifest(), Ed25519.generate().getPrivate());
        String stranger = FiguresCheck.problem("acme", enrolled(), withFigures("f.delta", 0.1f, foreign).manifest(),
                AddedClassKnowledge.UNLABELLED);
        assertTrue(stranger != null && stranger.contains("which is not an enrolled key of this customer"), stranger);
        String noKey = FiguresCheck.problem("acme", List.of(), withFigures("n.delta", 0.1f, signed).manifest(),
                AddedClassKnowledge.LABELS);
        assertTrue(noKey != null && noKey.contains("the cloud knows no figures key of this customer"), noKey);
    }

    @Test
    void withoutFiguresOnlyALabelsSettingGoesOn() throws Exception {
        DeltaManifest m = delta("plain.delta", 0.1f).manifest();
        assertNull(FiguresCheck.problem("acme", List.of(), m, AddedClassKnowledge.LABELS));
        String p = FiguresCheck.problem("acme", List.of(), m, AddedClassKnowledge.ABSENT);
        assertTrue(p != null && p.contains("carries no signed figures") && p.contains("[dog]"), p);
    }

    @Test
    void theCloudRejectsADeltaWhoseFiguresDoNotVerifyBeforeApplyingIt() throws Exception {
        KnowledgeDelta d = delta("sent.delta", 0.1f);
        CustomerFigures foreign = SignedFigures.sign(measured(0.52), d.manifest(), Ed25519.generate().getPrivate());
        KnowledgeDelta.rewriteManifest(dir.resolve("sent.delta"), d.manifest().withCustomerFigures(foreign));
        CloudConfig.Customer acme = new CloudConfig.Customer(dir.resolve("tutor.ckpt").toString(),
                dir.resolve("edge.ckpt").toString(), "tiny/edge", 0, List.of(), List.of(), enrolled());
        CloudConfig c = CloudConfig.DEFAULTS.with(Map.of("signingKey", dir.resolve("m.pem").toString(),
                "publicKey", dir.resolve("m.pub.pem").toString(), "workDir", dir.resolve("work").toString(),
                "customers", Map.of("acme", acme)));
        JobStore store = new JobStore(dir.resolve("work/queue"));
        JobStore.Job job = store.enqueue("s1", "acme", dir.resolve("sent.delta")).orElseThrow();
        CloudService.Parts parts = CloudService.Parts.of(c, System.out);
        assertEquals(Decider.Outcome.DECIDED, new Decider(parts, store, "test").take(job));
        JobStore.Verdict v = store.verdict("s1").orElseThrow();
        assertEquals("REJECTED", v.decision().status());
        assertTrue(v.decision().reason().startsWith("customer acme: the figures are signed by key ")
                && v.decision().reason().contains("not an enrolled key"), v.decision().reason());
        assertFalse(Files.exists(dir.resolve("work/jobs/s1/tutor-updated.ckpt")), "nothing applied");
        assertTrue(parts.audit().read().stream().noneMatch(e -> "APPLIED".equals(e.get("event"))));
    }

    private static EvalResult table() {
        List<ClassResult> rows = new ArrayList<>();
        rows.add(new ClassResult(0, "cat", 0.6, 20, 0, 20, 15, 5, 5, 0.75, 0.75, 0.75));
        rows.add(new ClassResult(1, "dog", Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        rows.add(new ClassResult(2, "horse", 0.7, 20, 0, 20, 15, 5, 5, 0.75, 0.75, 0.75));
        return new EvalResult(0.65, 30, rows, 40, 30, 10, 0.75, 0.75, 0.75, EvalConfig.DEFAULT.withScoreThreshold(0.3));
    }
}
