package org.diredi.edge.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.diredi.edge.EdgeFixtures;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.model.ModelStore;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Signed;
import org.diredi.messaging.UpdateManifest;
import org.diredi.profiles.Profiles;
import org.diredi.vision.fcos.FcosDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every OTA rule, without a broker (EdgeDeviceTest sends the same cases through a real one). */
class OtaUpdaterTest {

    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    static final KeyPair MANUFACTURER = Ed25519.generate();

    @TempDir
    Path dir;
    ModelStore store;
    OtaUpdater updater;
    final List<OnnxDetector> swapped = new ArrayList<>();
    byte[] model;

    @BeforeEach
    void setUp() {
        model = EdgeFixtures.model();
        store = new ModelStore(dir.resolve("models"));
        store.install(0, EdgeFixtures.write(dir, "initial.onnx", model), "initial");
        store.activate(0);
        HealthCheck health = new HealthCheck(Profiles.load("cpu"), FcosDecoder.Config.EVAL, 1);
        updater = new OtaUpdater("acme", "cam1", "cpu", MANUFACTURER.getPublic(), store, health, swapped::add,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void closeSwapped() {
        swapped.forEach(OnnxDetector::close);
    }

    private UpdateOutcome send(byte[] artifact, UpdateManifest m, KeyPair key) {
        Path a = EdgeFixtures.write(dir.resolve("in"), "artifact.onnx", artifact);
        return updater.apply(EdgeFixtures.signed(m, key), a);
    }

    private UpdateManifest manifest(long version) {
        return EdgeFixtures.manifest(model, version, "cpu", NOW.plusSeconds(3600));
    }

    private void assertRejected(UpdateOutcome o, String reasonPart) {
        assertEquals(UpdateOutcome.Status.REJECTED, o.status(), o.toString());
        assertTrue(o.reason().contains(reasonPart), o.reason());
        assertEquals(0, store.active().orElseThrow().version(), "the old model still runs");
        assertEquals(0, o.activeVersion());
        assertTrue(swapped.isEmpty());
    }

    @Test
    void aValidUpdateIsStagedCheckedActivatedAndSwappedIn() throws Exception {
        UpdateOutcome o = send(model, manifest(3), MANUFACTURER);
        assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
        assertNull(o.reason());
        assertEquals(3, store.active().orElseThrow().version());
        assertEquals(1, swapped.size());
        assertEquals(EdgeFixtures.CLASSES, swapped.get(0).classes());
        assertEquals(0, store.previous().orElseThrow().version(), "the previous model is kept for a rollback");
        assertTrue(Files.readString(store.dir().resolve("v3.json")).contains("\\\"version\\\":3"),
                "the installed record keeps the signed manifest");
    }

    /** {@code m} for {@code customer}: the manifest of an update published to every camera of a customer and profile. */
    private static UpdateManifest forCustomer(UpdateManifest m, String customer) {
        return new UpdateManifest(m.artifact(), m.sha256(), m.size(), m.version(), m.targetProfile(), m.model(),
                m.classes(), m.createdAt(), m.expiresAt(), m.parent(), m.notes(), customer);
    }

    private UpdateOutcome sendShared(byte[] artifact, UpdateManifest m, KeyPair key) {
        Path a = EdgeFixtures.write(dir.resolve("in"), "artifact.onnx", artifact);
        return updater.applyShared(EdgeFixtures.signed(m, key), a);
    }

    @Test
    void aSharedUpdateForThisCustomerAndProfileIsAppliedAndOneItAlreadyRunsIsIgnored() {
        UpdateOutcome o = sendShared(model, forCustomer(manifest(2), "acme"), MANUFACTURER);
        assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
        assertEquals(2, store.active().orElseThrow().version());
        assertNull(sendShared(model, forCustomer(manifest(2), "acme"), MANUFACTURER),
                "the same update again (a canary gets the fan-out too): nothing to do, nothing to report");
        assertNull(sendShared(model, forCustomer(manifest(1), "acme"), MANUFACTURER));
        assertEquals(2, store.active().orElseThrow().version());
    }

    @Test
    void aSharedUpdateMustNameThisDevicesCustomerAndProfileAndBeIntactAndSigned() {
        assertRejected(sendShared(model, forCustomer(manifest(1), "globex"), MANUFACTURER), "targets customer 'globex'");
        assertRejected(sendShared(model, manifest(1), MANUFACTURER), "targets customer 'null'");
        assertRejected(sendShared(model, forCustomer(EdgeFixtures.manifest(model, 1, "imx500", NOW.plusSeconds(3600)),
                "acme"), MANUFACTURER), "targets profile 'imx500'");
        byte[] tampered = model.clone();
        tampered[tampered.length / 2] ^= 1;
        assertRejected(sendShared(tampered, forCustomer(manifest(1), "acme"), MANUFACTURER), "sha256");
        assertRejected(sendShared(model, forCustomer(manifest(1), "acme"), Ed25519.generate()), "wrong key");
        // the manifest's customer changed after signing
        Signed s = Signed.sign(forCustomer(manifest(1), "globex").toJson(), MANUFACTURER.getPrivate(),
                MANUFACTURER.getPublic());
        String forged = java.util.Base64.getEncoder().encodeToString(forCustomer(manifest(1), "acme").toJson());
        assertRejected(updater.applyShared(new Signed(forged, s.keyId(), s.signature()).toJson(),
                EdgeFixtures.write(dir.resolve("in"), "a.onnx", model)), "bad signature");
        assertRejected(sendShared(model, forCustomer(EdgeFixtures.manifest(model, 1, "cpu", NOW.minusSeconds(1)),
                "acme"), MANUFACTURER), "expired");
        assertEquals(List.of(0L), store.versions(), "nothing was installed");
    }

    @Test
    void anUpdateOnItsOwnTopicNamingAnotherCustomerIsRejected() {
        assertRejected(send(model, forCustomer(manifest(1), "globex"), MANUFACTURER), "targets customer 'globex'");
        assertEquals(UpdateOutcome.Status.APPLIED, send(model, forCustomer(manifest(1), "acme"), MANUFACTURER).status());
    }

    @Test
    void aTamperedArtifactIsRejected() {
        byte[] tampered = model.clone();
        tampered[tampered.length / 2] ^= 1;
        assertRejected(send(tampered, manifest(1), MANUFACTURER), "sha256");
        byte[] truncated = java.util.Arrays.copyOf(model, model.length - 10);
        assertRejected(send(truncated, manifest(1), MANUFACTURER), "size");
        assertEquals(List.of(0L), store.versions(), "nothing was installed");
    }

    @Test
    void aManifestSignedByAnotherKeyIsRejected() {
        assertRejected(send(model, manifest(1), Ed25519.generate()), "wrong key");
    }

    @Test
    void anUnsignedOrAlteredManifestIsRejected() {
        Signed s = Signed.sign(manifest(1).toJson(), MANUFACTURER.getPrivate(), MANUFACTURER.getPublic());
        Path a = EdgeFixtures.write(dir.resolve("in"), "a.onnx", model);
        assertRejected(updater.apply(new Signed(s.payload(), s.keyId(), "").toJson(), a), "unsigned");
        // the manifest says version 2, the signature was made for version 1
        String forged = java.util.Base64.getEncoder().encodeToString(manifest(2).toJson());
        assertRejected(updater.apply(new Signed(forged, s.keyId(), s.signature()).toJson(), a), "bad signature");
        assertRejected(updater.apply("not json".getBytes(), a), "malformed");
    }

    @Test
    void aDowngradeOrReplayIsRejected() {
        assertEquals(UpdateOutcome.Status.APPLIED, send(model, manifest(5), MANUFACTURER).status());
        swapped.forEach(OnnxDetector::close);
        swapped.clear();
        UpdateOutcome replay = send(model, manifest(5), MANUFACTURER);
        assertEquals(UpdateOutcome.Status.REJECTED, replay.status());
        assertTrue(replay.reason().contains("not newer"), replay.reason());
        UpdateOutcome down = send(model, manifest(4), MANUFACTURER);
        assertTrue(down.reason().contains("not newer"), down.reason());
        assertEquals(5, store.active().orElseThrow().version());
    }

    @Test
    void anUpdateForAnotherProfileIsRejected() {
        UpdateManifest m = EdgeFixtures.manifest(model, 1, "imx500", NOW.plusSeconds(3600));
        assertRejected(send(model, m, MANUFACTURER), "targets profile 'imx500'");
    }

    @Test
    void anExpiredManifestIsRejected() {
        UpdateManifest m = EdgeFixtures.manifest(model, 1, "cpu", NOW.minusSeconds(1));
        assertRejected(send(model, m, MANUFACTURER), "expired");
    }

    @Test
    void aModelThatFailsItsHealthCheckIsRolledBackAndRemoved() {
        byte[] nan = EdgeFixtures.nanModel();
        UpdateManifest m = EdgeFixtures.manifest(nan, 1, "cpu", NOW.plusSeconds(3600));
        UpdateOutcome o = send(nan, m, MANUFACTURER);
        assertEquals(UpdateOutcome.Status.ROLLED_BACK, o.status(), o.toString());
        assertTrue(o.reason().contains("not finite"), o.reason());
        assertEquals(0, store.active().orElseThrow().version());
        assertEquals(List.of(0L), store.versions(), "the failed model is not left on disk");
        assertTrue(swapped.isEmpty());
    }

    @Test
    void aModelOverTheLatencyBudgetIsRolledBack() {
        var slow = new org.diredi.profiles.DeviceProfile("cpu", "test: impossible budget", 160, null,
                org.diredi.profiles.Precision.FP32, 7, 21, List.of("*"), 1L << 28, 1L << 30, 0.001, true, true, List.of());
        OtaUpdater strict = new OtaUpdater("acme", "cam1", "cpu", MANUFACTURER.getPublic(), store,
                new HealthCheck(slow, FcosDecoder.Config.EVAL, 1), swapped::add, Clock.fixed(NOW, ZoneOffset.UTC));
        Path a = EdgeFixtures.write(dir.resolve("in"), "a.onnx", model);
        UpdateOutcome o = strict.apply(EdgeFixtures.signed(manifest(1), MANUFACTURER), a);
        assertEquals(UpdateOutcome.Status.ROLLED_BACK, o.status());
        assertTrue(o.reason().contains("budget"), o.reason());
    }

    /** An updater whose health check asks the shipped default agreement (edge.yaml {@code health}). */
    private OtaUpdater withAgreement(ModelStore s, org.diredi.edge.config.EdgeConfig.Health acceptance) {
        return new OtaUpdater("acme", "cam1", "cpu", MANUFACTURER.getPublic(), s, new HealthCheck(Profiles.load("cpu"),
                FcosDecoder.Config.EVAL, 1, acceptance), swapped::add, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aModelThatNoLongerFindsWhatTheRunningOneFindsIsRolledBack() {
        var defaults = org.diredi.edge.config.EdgeConfig.DEFAULTS.health();
        byte[] blind = EdgeFixtures.blindModel();
        Path a = EdgeFixtures.write(dir.resolve("in"), "blind.onnx", blind);
        byte[] signed = EdgeFixtures.signed(EdgeFixtures.manifest(blind, 1, "cpu", NOW.plusSeconds(3600)), MANUFACTURER);
        UpdateOutcome o = withAgreement(store, defaults).apply(signed, a);
        assertEquals(UpdateOutcome.Status.ROLLED_BACK, o.status(), o.toString());
        assertTrue(o.reason().contains("finds 0 of the running model's") && o.reason().contains("health.minAgreement"),
                o.reason());
        assertEquals(0, store.active().orElseThrow().version(), "the running model stays");
        assertEquals(List.of(0L), store.versions());
        assertTrue(swapped.isEmpty());
        // the same model passes the rest of the check: off, or with no running model, it is applied
        assertEquals(UpdateOutcome.Status.APPLIED, withAgreement(store,
                new org.diredi.edge.config.EdgeConfig.Health(0, 0.5, null)).apply(signed, a).status());
        ModelStore empty = new ModelStore(dir.resolve("empty"));
        assertEquals(UpdateOutcome.Status.APPLIED, withAgreement(empty, defaults).apply(signed, a).status());
    }

    @Test
    void theSameModelAgreesWithTheRunningOne() {
        Path a = EdgeFixtures.write(dir.resolve("in"), "a.onnx", model);
        UpdateOutcome o = withAgreement(store, new org.diredi.edge.config.EdgeConfig.Health(1.0, 0.99, null))
                .apply(EdgeFixtures.signed(manifest(1), MANUFACTURER), a);
        assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
    }

    private UpdateOutcome rollback(long to, Instant issued, String device, String profile, KeyPair key) {
        org.diredi.messaging.RollbackInstruction r = new org.diredi.messaging.RollbackInstruction("rollback", "acme",
                device, profile, to, issued.toString(), issued.plusSeconds(7200).toString(), "test");
        return updater.rollBackTo("acme", Signed.sign(r.toJson(), key.getPrivate(), key.getPublic()).toJson());
    }

    @Test
    void aSignedRollbackReturnsToAHeldVersionAfterItsHealthCheck() {
        assertEquals(UpdateOutcome.Status.APPLIED, send(model, manifest(1), MANUFACTURER).status());
        UpdateOutcome o = rollback(0, NOW.minusSeconds(60), "cam1", "cpu", MANUFACTURER);
        assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
        assertEquals(UpdateOutcome.ROLLBACK, o.kind());
        assertEquals(0, o.activeVersion());
        assertEquals(0, store.active().orElseThrow().version());
        assertEquals(2, swapped.size(), "the held model was checked and swapped in");
        assertEquals(List.of(0L, 1L), store.versions(), "the newer version stays held");
        UpdateOutcome replay = rollback(0, NOW.minusSeconds(60), "cam1", "cpu", MANUFACTURER);
        assertEquals(UpdateOutcome.Status.REJECTED, replay.status());
        assertTrue(replay.reason().contains("replayed"), replay.reason());
    }

    @Test
    void aRollbackIsCheckedLikeAnUpdate() {
        assertEquals(UpdateOutcome.Status.APPLIED, send(model, manifest(1), MANUFACTURER).status());
        swapped.forEach(OnnxDetector::close);
        swapped.clear();
        Instant issued = NOW.minusSeconds(60);
        for (Object[] c : new Object[][] {{rollback(0, issued, "cam1", "cpu", Ed25519.generate()), "wrong key"},
                {rollback(0, issued, "cam2", "cpu", MANUFACTURER), "for device acme/cam2"},
                {rollback(0, issued, "cam1", "imx500", MANUFACTURER), "targets profile 'imx500'"},
                {rollback(0, NOW.minusSeconds(8000), "cam1", "cpu", MANUFACTURER), "expired"},
                // v1's manifest was signed an hour before NOW: an instruction from before that is stale
                {rollback(0, NOW.minusSeconds(3700), "cam1", "cpu", MANUFACTURER), "before the running version 1"},
                {rollback(7, issued, "cam1", "cpu", MANUFACTURER), "version 7 is not in this device's model store"}}) {
            UpdateOutcome o = (UpdateOutcome) c[0];
            assertEquals(UpdateOutcome.Status.REJECTED, o.status(), o.toString());
            assertTrue(o.reason().contains((String) c[1]), o.reason());
            assertEquals(1, o.activeVersion());
        }
        assertEquals(1, store.active().orElseThrow().version(), "the running model stays");
        assertTrue(swapped.isEmpty());
    }
}
