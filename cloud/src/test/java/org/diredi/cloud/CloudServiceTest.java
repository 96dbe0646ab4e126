package org.diredi.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.core.TestData;
import org.diredi.core.gate.GatePolicy;
import org.diredi.messaging.DeltaDecision;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Signed;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferManifest;
import org.diredi.messaging.UpdateManifest;
import org.diredi.onprem.OnPremConfig;
import org.diredi.onprem.OnPremTrainer;
import org.diredi.onprem.ReverseDistillation;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cloud against a real broker with tiny models: accept and ship, refuse strangers, survive a restart. */
class CloudServiceTest {

    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static Map<String, Path> models;
    static List<String> presumed;
    static String added;
    static KeyPair keys = Ed25519.generate();

    @BeforeAll
    static void setUp() throws Exception {
        VocDataset scenes = TestData.scenes(dir.resolve("data"), 8);
        Map<String, Integer> freq = new TreeMap<>();
        scenes.images().forEach(i -> i.objects().forEach(o -> freq.merge(ClassList.FASHION.name(o.classId()), 1,
                Integer::sum)));
        // the added class must have validation objects, or the gate cannot verify its gain
        java.util.Set<String> inVal = new java.util.HashSet<>();
        VocDataset.load(dir.resolve("data"), "val", ClassList.FASHION).images().forEach(i -> i.objects()
                .forEach(o -> inVal.add(ClassList.FASHION.name(o.classId()))));
        added = freq.entrySet().stream().filter(e -> inVal.contains(e.getKey()))
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        presumed = freq.keySet().stream().filter(c -> !c.equals(added)).toList();
        models = TestData.tinyTutorAndEdge(dir.resolve("m"), scenes.restrictTo(presumed));
        Ed25519.writePrivateKey(dir.resolve("k.pem"), keys.getPrivate());
        Ed25519.writePublicKey(dir.resolve("k.pub.pem"), keys.getPublic());
        String h = BrokerConfig.hashPassword("pw".toCharArray());
        broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withUsers(
                List.of(new BrokerConfig.User("cloud", h, BrokerConfig.CLOUD, null, null),
                        new BrokerConfig.User("acme-onprem", h, BrokerConfig.ONPREM, "acme", null),
                        new BrokerConfig.User("mallory-onprem", h, BrokerConfig.ONPREM, "mallory", null),
                        new BrokerConfig.User("cam1", h, BrokerConfig.DEVICE, "acme", "cam1", "cpu"),
                        new BrokerConfig.User("cam9", h, BrokerConfig.DEVICE, "other", "cam9", "cpu"))));
    }

    @AfterAll
    static void tearDown() {
        broker.close();
    }

    static CloudConfig config(String work) {
        // a permissive gate: this test is about the plumbing, the gate has its own tests
        return CloudConfig.DEFAULTS.with(Map.ofEntries(Map.entry("broker", broker.serverUri()),
                Map.entry("password", "pw"), Map.entry("signingKey", dir.resolve("k.pem").toString()),
                Map.entry("publicKey", dir.resolve("k.pub.pem").toString()),
                Map.entry("workDir", dir.resolve(work).toString()), Map.entry("data", dir.resolve("data").toString()),
                Map.entry("gate", new GatePolicy(Map.of(), 100.0, -100.0, null)), Map.entry("distillCEpochs", 1),
                Map.entry("distillCBatch", 4), Map.entry("distillCFeatureWeight", 1f), Map.entry("otaExpiryHours", 1),
                Map.entry("chunkBytes", 4096),
                Map.entry("customers", Map.of("acme", new CloudConfig.Customer(models.get("tutor").toString(),
                        models.get("edge").toString(), "tiny/edge", 0, List.of(new CloudConfig.Device("cam1", "cpu"),
                        // the tiny edge model has GroupNorm towers and float weights: it cannot run on an IMX500
                        new CloudConfig.Device("cam2", "imx500")))))));
    }

    static OnPremTrainer onprem(String customer, String user, String work) {
        return new OnPremTrainer(OnPremConfig.DEFAULTS.with(Map.ofEntries(Map.entry("customer", customer),
                Map.entry("broker", broker.serverUri()), Map.entry("username", user), Map.entry("password", "pw"),
                Map.entry("presumedData", dir.resolve("data").toString()), Map.entry("presumed", presumed),
                Map.entry("privateData", dir.resolve("data").toString()), Map.entry("added", List.of(added)),
                Map.entry("edgeModel", models.get("edge").toString()), Map.entry("tutor", models.get("tutor").toString()),
                Map.entry("tutorPreset", "tiny/tutor"), Map.entry("workDir", dir.resolve(work).toString()),
                Map.entry("epochs", 1), Map.entry("beta", 0.1f), Map.entry("chunkBytes", 4096),
                Map.entry("decisionTimeoutSeconds", 120))), System.out);
    }

    static MqttLink device(String user) {
        MqttLink l = new MqttLink(MqttLink.Options.of(broker.serverUri(), user).withCredentials(user, "pw"));
        l.connect();
        return l;
    }

    @Test
    void anAcceptedDeltaIsShippedSignedToThatCustomersDevicesOnly() throws Exception {
        BlockingQueue<byte[]> cam1 = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> cam9 = new LinkedBlockingQueue<>();
        try (CloudService cloud = new CloudService(config("cloud-a"), System.out);
             MqttLink d1 = device("cam1"); MqttLink d9 = device("cam9")) {
            d1.subscribe(Topics.ota("acme", "cam1") + "/manifest", 1, (t, p, u) -> cam1.add(p));
            d9.subscribe(Topics.ota("other", "cam9") + "/manifest", 1, (t, p, u) -> cam9.add(p));
            cloud.start();
            OnPremTrainer t = onprem("acme", "acme-onprem", "onprem-a");
            ReverseDistillation.Outcome rd = t.train();
            DeltaDecision d;
            try (MqttLink link = t.connect()) {
                d = t.upload(rd.delta(), link);
            }
            assertEquals("ACCEPTED", d.status(), d.reason());
            assertEquals(1, d.modelVersion());
            assertEquals(List.of("cam1"), d.devices());
            assertTrue(d.reason().contains("not shipped to imx500 devices"), d.reason());
            assertTrue(d.perClassAp().containsKey(added), d.perClassAp().toString());
            byte[] m = cam1.poll(30, TimeUnit.SECONDS);
            assertNotNull(m, "cam1 got the OTA manifest");
            UpdateManifest u = UpdateManifest.fromJson(
                    Signed.fromJson(TransferManifest.fromJson(m).manifest()).verifiedPayload(keys.getPublic()));
            assertEquals(1, u.version());
            assertEquals("cpu", u.targetProfile());
            assertTrue(cam9.poll(2, TimeUnit.SECONDS) == null, "another customer's device got nothing");
            List<String> events = cloud.audit().read().stream().map(e -> (String) e.get("event")).toList();
            assertTrue(events.containsAll(List.of("RECEIVED", "APPLIED", "DECIDED", "SHIPPED", "REFUSED")),
                    events.toString());
            assertEquals(1, events.stream().filter("SHIPPED"::equals).count(), "only cam1 was sent a signed update");
            Map<String, Object> applied = cloud.audit().read().stream().filter(e -> "APPLIED".equals(e.get("event")))
                    .findFirst().orElseThrow();
            assertEquals("float16", applied.get("deltaForm"), "the on-prem upload's default form, audited");
            assertEquals("none", applied.get("privacy"), applied.toString());
            assertEquals(1, cloud.state("acme", config("cloud-a").customers().get("acme")).version());
            org.diredi.cloud.fleet.CustomerRollout st = cloud.fleet().rollout("acme");
            assertEquals(List.of("cam1"), st.rollout().canaries(), "the update went to the canary first");
            assertEquals(org.diredi.cloud.fleet.CustomerRollout.Phase.CANARY, st.rollout().phase(),
                    "cam1 never reports: the rest (none here) wait");
            assertEquals(0, st.current());
            assertTrue(st.artifact(1, "cpu").validFor(java.time.Instant.now(), java.time.Duration.ofMinutes(30)),
                    "the signed artifact is kept for the rest of the rollout");
            releaseProvenance(java.nio.file.Path.of(st.artifact(1, "cpu").envelope()), d, rd);
        }
    }

    /** The release's provenance: the transfer and gate, then export, Distill C, Eq. 10, the delta, its tutors. */
    static void releaseProvenance(java.nio.file.Path envelope, DeltaDecision d, ReverseDistillation.Outcome rd) {
        org.diredi.core.provenance.Provenance p = org.diredi.export.ProvenanceFiles.read(envelope);
        assertEquals("release", p.kind());
        assertEquals(d.transferId(), p.settings().get("transfer"));
        assertTrue(p.settings().get("gate").startsWith("accepted"), p.settings().toString());
        var export = p.parents().get(0);
        assertEquals("export", export.relation());
        var edge = export.provenance().parents().get(0).provenance();
        var updated = edge.parents().stream().filter(x -> x.relation().equals("teacher")).findFirst().orElseThrow();
        var delta = updated.provenance().parents().stream().filter(x -> x.relation().equals("delta")).findFirst()
                .orElseThrow();
        assertEquals(rd.knowledgeDelta().manifest().tensorsSha256(), delta.sha256());
        assertEquals(rd.knowledgeDelta().manifest().lineage(), delta.provenance());
        assertEquals(org.diredi.core.checkpoint.Checkpoint.read(rd.tutor2()).manifest().id(),
                delta.provenance().parents().get(2).id());
        // the customer's data only as hashes: RD A's image ids and class list, never a path or an image
        assertEquals(List.of("train split", "class list"), delta.provenance().data().stream()
                .map(org.diredi.core.provenance.Provenance.DataHash::what).toList());
        String json = org.diredi.vision.config.ConfigFiles.toJson(p);
        assertFalse(json.contains(dir.resolve("data").toString()), "no data path in the release's provenance");
    }

    @Test
    void aDeltaFromAnUnknownCustomerIsRejectedAndAudited() throws Exception {
        try (CloudService cloud = new CloudService(config("cloud-b"), System.out)) {
            cloud.start();
            OnPremTrainer t = onprem("mallory", "mallory-onprem", "onprem-b");
            ReverseDistillation.Outcome rd = t.train();
            DeltaDecision d;
            try (MqttLink link = t.connect()) {
                d = t.upload(rd.delta(), link);
            }
            assertEquals("REJECTED", d.status());
            assertTrue(d.reason().contains("unknown customer 'mallory'"), d.reason());
            assertTrue(cloud.audit().read().stream().anyMatch(e -> "DECIDED".equals(e.get("event"))
                    && "mallory".equals(e.get("customer")) && "REJECTED".equals(e.get("status"))));
        }
    }

    @Test
    void aDeltaReceivedBeforeARestartIsDecidedAfterIt() throws Exception {
        Path delta = onprem("acme", "acme-onprem", "onprem-c").train().delta();
        CloudService first = new CloudService(config("cloud-c"), System.out);
        first.close(); // the process dies right after the delta was made durable
        assertThrows(java.util.concurrent.RejectedExecutionException.class,
                () -> first.enqueue("delta-before-restart", "acme", delta));
        assertEquals(List.of("delta-before-restart"), first.pending());
        try (CloudService second = new CloudService(config("cloud-c"), System.out)) {
            second.start();
            second.drain(java.time.Duration.ofMinutes(3));
            assertTrue(second.pending().isEmpty());
            assertTrue(second.audit().read().stream().anyMatch(e -> "DECIDED".equals(e.get("event"))
                    && "delta-before-restart".equals(e.get("transferId"))), second.audit().read().toString());
            assertTrue(Files.exists(dir.resolve("cloud-c/queue/delta-before-restart.done")));
        }
    }

    @Test
    void aCameraEnrolledWithoutAModelIsSentTheCustomersV0ExportedForItsProfile() throws Exception {
        Path root = dir.resolve("cam1-new");
        Files.createDirectories(root.resolve("frames"));
        try (java.io.InputStream frame = org.diredi.edge.EdgeDevice.class
                .getResourceAsStream("/org/diredi/edge/sample-frame.jpg")) {
            Files.write(root.resolve("frames/f0.jpg"), frame.readAllBytes());
        }
        org.diredi.edge.config.EdgeConfig camera = org.diredi.edge.config.EdgeConfig.DEFAULTS.with(Map.of(
                "device", Map.of("customer", "acme", "id", "cam1"), "modelDir", root.resolve("models").toString(),
                "source", Map.of("type", "folder", "path", root.resolve("frames").toString(), "loop", true,
                        "fpsLimit", 2),
                "mqtt", Map.of("uri", broker.serverUri(), "username", "cam1", "password", "pw",
                        "persistenceDir", root.resolve("mqtt").toString(), "maxReconnectDelaySeconds", 1),
                "trustedKey", dir.resolve("k.pub.pem").toString(), "statusEverySeconds", 1));
        CloudConfig c = config("cloud-d");
        try (CloudService cloud = new CloudService(c, System.out)) {
            cloud.start();
            try (org.diredi.edge.EdgeDevice cam = org.diredi.edge.EdgeDevice.open(camera, java.time.Clock.systemUTC())) {
                Thread frames = new Thread(cam::run, "frames-cam1");
                frames.setDaemon(true);
                frames.start();
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (!(cam.runtime().hasModel() && cam.runtime().stats().frames() > 0)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                frames.interrupt();
                frames.join(10_000);
                assertTrue(cam.runtime().hasModel(), "cam1 got a model over the air");
                assertEquals(0, cam.runtime().activeVersion(), "the customer's current version: v0, never updated");
            }
            List<Map<String, Object>> audit = cloud.audit().read();
            assertTrue(audit.stream().anyMatch(e -> "PROVISIONED".equals(e.get("event"))), audit.toString());
            assertTrue(audit.stream().anyMatch(e -> "SHIPPED".equals(e.get("event")) && "cam1".equals(e.get("device"))
                    && "first model".equals(e.get("as"))), audit.toString());
            assertTrue(Files.isDirectory(dir.resolve("cloud-d/jobs/model-acme-v0-cpu/export-cpu")),
                    "exported for its profile through the device-export path");
        }
    }
}
