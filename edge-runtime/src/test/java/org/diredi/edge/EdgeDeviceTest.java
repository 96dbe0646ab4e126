package org.diredi.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.gpio.GpioRule;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.messaging.UpdateManifest;
import org.diredi.vision.box.Detection;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.image.Preprocess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge runtime against a real (embedded) broker: OTA through MQTT, reports, offline delivery. */
class EdgeDeviceTest {

    static final KeyPair MANUFACTURER = Ed25519.generate();
    static final String CUSTOMER = "acme";

    @TempDir
    static Path dir;
    static EmbeddedBroker broker;
    static MqttLink cloud;
    static final BlockingQueue<UpdateOutcome> reports = new LinkedBlockingQueue<>();
    static byte[] model;

    @BeforeAll
    static void startBroker() {
        model = EdgeFixtures.model();
        String h = BrokerConfig.hashPassword("cam-secret".toCharArray());
        BrokerConfig c = BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker")).withUsers(List.of(
                new BrokerConfig.User("cam1", h, BrokerConfig.DEVICE, CUSTOMER, "cam1", "cpu"),
                new BrokerConfig.User("cam2", h, BrokerConfig.DEVICE, CUSTOMER, "cam2", "cpu"),
                new BrokerConfig.User("cam4", h, BrokerConfig.DEVICE, CUSTOMER, "cam4", "cpu"),
                new BrokerConfig.User("cam5", h, BrokerConfig.DEVICE, CUSTOMER, "cam5", "cpu"),
                new BrokerConfig.User("cloud", BrokerConfig.hashPassword("cloud-secret".toCharArray()),
                        BrokerConfig.CLOUD, null, null)));
        broker = EmbeddedBroker.start(c);
        cloud = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud").withCredentials("cloud", "cloud-secret"));
        cloud.connect();
        cloud.subscribe(Topics.PREFIX + "/customers/" + CUSTOMER + "/devices/+/ota/report", 1, (topic, payload, props) ->
                reports.add(ConfigFiles.JSON.readValue(payload, UpdateOutcome.class)));
        Ed25519.writePublicKey(dir.resolve("manufacturer.pub.pem"), MANUFACTURER.getPublic());
    }

    @AfterAll
    static void stopBroker() {
        cloud.close();
        broker.close();
    }

    static EdgeConfig config(String device, List<GpioRule> rules) {
        Path root = dir.resolve(device);
        Path frames = root.resolve("frames");
        EdgeFixtures.write(frames, "f0.jpg", readSample());
        return EdgeConfig.DEFAULTS.with(Map.of("device", Map.of("customer", CUSTOMER, "id", device),
                "profile", "cpu", "modelDir", root.resolve("models").toString(),
                "initialModel", EdgeFixtures.write(root, "initial.onnx", model).toString(),
                "source", Map.of("type", "folder", "path", frames.toString(), "loop", false, "fpsLimit", 0),
                "mqtt", Map.of("enabled", true, "uri", broker.serverUri(), "username", device, "password", "cam-secret",
                        "sessionExpirySeconds", 3600, "persistenceDir", root.resolve("mqtt").toString(),
                        "maxReconnectDelaySeconds", 1),
                "trustedKey", dir.resolve("manufacturer.pub.pem").toString(),
                "gpio", new EdgeConfig.Gpio("mock", rules), "statusEverySeconds", 10, "threads", 1));
    }

    static byte[] readSample() {
        try (var in = HealthCheck.class.getResourceAsStream("/org/diredi/edge/sample-frame.jpg")) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int sent;

    static void send(String device, byte[] artifact, UpdateManifest m, KeyPair key) {
        TransferSender.send(cloud, Topics.ota(CUSTOMER, device), "update-" + (++sent), EdgeFixtures.signed(m, key),
                artifact, 256 * 1024, null);
    }

    static UpdateOutcome nextReport() throws InterruptedException {
        UpdateOutcome o = reports.poll(60, TimeUnit.SECONDS);
        assertNotNull(o, "no OTA report within 60 s");
        return o;
    }

    static UpdateManifest manifest(byte[] artifact, long version, String profile, Instant expires) {
        return EdgeFixtures.manifest(artifact, version, profile, expires);
    }

    @Test
    void updatesThroughTheBrokerAreAppliedOrRejectedWithTheReasonReported() throws Exception {
        Instant later = Instant.now().plusSeconds(3600);
        try (EdgeDevice d = EdgeDevice.open(config("cam1", List.of()), Clock.systemUTC())) {
            assertEquals(0, d.runtime().activeVersion());
            send("cam1", model, manifest(model, 1, "cpu", later), MANUFACTURER);
            UpdateOutcome ok = nextReport();
            assertEquals(UpdateOutcome.Status.APPLIED, ok.status(), ok.toString());
            assertEquals(1, d.runtime().activeVersion());

            byte[] tampered = model.clone();
            tampered[1000] ^= 0x40;
            byte[] nan = EdgeFixtures.nanModel();
            record Case(String what, byte[] artifact, UpdateManifest m, KeyPair key, UpdateOutcome.Status status,
                        String reason) {}
            List<Case> cases = List.of(
                    new Case("tampered artifact", tampered, manifest(model, 2, "cpu", later), MANUFACTURER,
                            UpdateOutcome.Status.REJECTED, "sha256"),
                    new Case("wrong key", model, manifest(model, 2, "cpu", later), Ed25519.generate(),
                            UpdateOutcome.Status.REJECTED, "wrong key"),
                    new Case("downgrade", model, manifest(model, 1, "cpu", later), MANUFACTURER,
                            UpdateOutcome.Status.REJECTED, "not newer"),
                    new Case("wrong target", model, manifest(model, 2, "jetson-nano", later), MANUFACTURER,
                            UpdateOutcome.Status.REJECTED, "targets profile"),
                    new Case("expired", model, manifest(model, 2, "cpu", Instant.now().minusSeconds(5)), MANUFACTURER,
                            UpdateOutcome.Status.REJECTED, "expired"),
                    new Case("fails health check", nan, manifest(nan, 2, "cpu", later), MANUFACTURER,
                            UpdateOutcome.Status.ROLLED_BACK, "not finite"));
            for (Case c : cases) {
                send("cam1", c.artifact(), c.m(), c.key());
                UpdateOutcome o = nextReport();
                assertEquals(c.status(), o.status(), c.what() + ": " + o);
                assertTrue(o.reason().contains(c.reason()), c.what() + ": " + o.reason());
                assertEquals(1, o.activeVersion(), c.what());
                assertEquals(1, d.runtime().activeVersion(), c.what() + ": the old model still runs");
                Frame f = HealthCheck.sampleFrame();
                assertFalse(d.runtime().process(f, System.nanoTime()).isEmpty(), c.what() + ": and still detects");
            }

            // an unsigned manifest: the envelope without a signature
            var s = org.diredi.messaging.Signed.fromJson(EdgeFixtures.signed(manifest(model, 2, "cpu", later), MANUFACTURER));
            TransferSender.send(cloud, Topics.ota(CUSTOMER, "cam1"), "update-unsigned",
                    new org.diredi.messaging.Signed(s.payload(), s.keyId(), null).toJson(), model, 256 * 1024, null);
            UpdateOutcome unsigned = nextReport();
            assertEquals(UpdateOutcome.Status.REJECTED, unsigned.status());
            assertTrue(unsigned.reason().contains("unsigned"), unsigned.reason());
        }
    }

    @Test
    void detectionEventsStatusAndAnnotatedFramesAreProduced() throws Exception {
        BlockingQueue<Map<String, Object>> events = new LinkedBlockingQueue<>();
        BlockingQueue<Map<String, Object>> status = new LinkedBlockingQueue<>();
        cloud.subscribe(Topics.detections(CUSTOMER, "cam4"), 1, (t, p, u) -> events.add(ConfigFiles.JSON.readValue(p, Map.class)));
        cloud.subscribe(Topics.status(CUSTOMER, "cam4"), 1, (t, p, u) -> status.add(ConfigFiles.JSON.readValue(p, Map.class)));
        EdgeConfig c = config("cam4", List.of());
        Path annotated = dir.resolve("cam4-annotated");
        EdgeConfig own = c.with(Map.of("decode", Map.of("scoreThreshold", 0.05f),
                "annotate", Map.of("dir", annotated.toString(), "everyN", 1)));
        try (EdgeDevice d = EdgeDevice.open(own, Clock.systemUTC())) {
            List<Detection> dets = d.runtime().process(HealthCheck.sampleFrame(), System.nanoTime());
            assertFalse(dets.isEmpty());
            Map<String, Object> e = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "a detection event");
            assertEquals("cam4", e.get("device"));
            List<?> list = (List<?>) e.get("detections");
            assertEquals(dets.size(), list.size());
            assertTrue(EdgeFixtures.CLASSES.contains(((Map<?, ?>) list.get(0)).get("class")), list.get(0).toString());
            d.runtime().publishStatus();
            Map<String, Object> s = null;
            for (Map<String, Object> x = status.poll(10, TimeUnit.SECONDS); x != null; x = status.poll(1, TimeUnit.SECONDS)) {
                s = x; // the latest
            }
            assertNotNull(s, "a status message");
            assertEquals(((Number) s.get("frames")).longValue(), 1L);
            assertTrue(((Map<?, ?>) s.get("inferenceMs")).get("p50") instanceof Number, s.toString());
            assertTrue(Files.exists(annotated.resolve("frame-00000000.png")), "annotated frame written");
        }
    }

    @Test
    void anUpdatePublishedWhileTheDeviceIsOfflineArrivesWhenItReconnects() throws Exception {
        EdgeConfig c = config("cam2", List.of());
        try (EdgeDevice d = EdgeDevice.open(c, Clock.systemUTC())) {
            assertEquals(0, d.runtime().activeVersion());
        } // offline now; the broker keeps its session (expiry 3600 s)
        send("cam2", model, manifest(model, 7, "cpu", Instant.now().plusSeconds(3600)), MANUFACTURER);
        assertTrue(reports.isEmpty(), "nobody could have applied it yet");
        try (EdgeDevice d = EdgeDevice.open(c, Clock.systemUTC())) {
            UpdateOutcome o = nextReport();
            assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
            assertEquals("cam2", o.device());
            assertEquals(7, d.runtime().activeVersion());
        }
    }

    @Test
    void aGpioRuleTogglesTheMockPinOnADetection() {
        Frame sample = HealthCheck.sampleFrame();
        byte[] grey = new byte[sample.bgr().length];
        java.util.Arrays.fill(grey, (byte) 128);
        Frame greyFrame = new Frame(1, "grey", sample.width(), sample.height(), grey, System.nanoTime());
        // the class whose best score differs most between the sample frame and a plain grey frame (found,
        // not assumed: the fixture model is tiny), and a threshold halfway between the two scores
        float[] onSample = new float[EdgeFixtures.CLASSES.size()];
        float[] onGrey = new float[EdgeFixtures.CLASSES.size()];
        try (OnnxDetector det = new OnnxDetector(EdgeFixtures.write(dir, "g.onnx", model), 1,
                new FcosDecoder.Config(0.05f, 1000, 0.6f, 100))) {
            int s = det.inputSize();
            for (Detection x : det.detect(Preprocess.bgrToChw(sample.bgr(), sample.width(), sample.height(), s, s),
                    sample.width(), sample.height()).detections()) {
                onSample[x.classId()] = Math.max(onSample[x.classId()], x.score());
            }
            for (Detection x : det.detect(Preprocess.bgrToChw(grey, sample.width(), sample.height(), s, s),
                    sample.width(), sample.height()).detections()) {
                onGrey[x.classId()] = Math.max(onGrey[x.classId()], x.score());
            }
        }
        int best = 0;
        for (int k = 1; k < onSample.length; k++) {
            best = onSample[k] - onGrey[k] > onSample[best] - onGrey[best] ? k : best;
        }
        final int bestClass = best;
        assertTrue(onSample[best] > onGrey[best] + 0.05f, "some class separates the frames: "
                + java.util.Arrays.toString(onSample) + " vs " + java.util.Arrays.toString(onGrey));
        float threshold = (onSample[best] + onGrey[best]) / 2;
        String cls = EdgeFixtures.CLASSES.get(bestClass);
        EdgeConfig c = config("cam3-offline", List.of(new GpioRule(17, cls, threshold, 0)));
        Map<String, Object> noBroker = new java.util.HashMap<>(Map.of("mqtt", Map.of("enabled", false),
                "decode", Map.of("scoreThreshold", 0.05f)));
        noBroker.put("trustedKey", null); // offline: no updates, so no manufacturer key either
        EdgeConfig offline = c.with(noBroker);
        try (EdgeDevice d = EdgeDevice.open(offline, Clock.systemUTC())) {
            assertFalse(d.runtime().gpio().isHigh(17));
            d.runtime().process(sample, System.nanoTime());
            assertTrue(d.runtime().gpio().isHigh(17), "pin 17 high while a " + cls + " is seen");
            d.runtime().process(greyFrame, System.nanoTime());
            assertFalse(d.runtime().gpio().isHigh(17), "and low again once it is gone");
            Map<String, Object> status = d.runtime().status();
            assertEquals(2L, status.get("frames"));
        }
    }

    @Test
    void aDeviceCannotConnectWithAWrongPassword() {
        EdgeConfig c = config("cam1", List.of());
        Map<String, Object> wrongPassword = new java.util.HashMap<>(Map.of("username", "cam1", "password", "wrong",
                "sessionExpirySeconds", 60));
        wrongPassword.put("persistenceDir", null); // in memory: nothing of cam1's own session is touched
        EdgeConfig bad = c.with(Map.of("modelDir", dir.resolve("bad-models").toString(), "mqtt", wrongPassword));
        RuntimeException e = assertThrows(RuntimeException.class, () -> EdgeDevice.open(bad, Clock.systemUTC()).close());
        assertTrue(e.getMessage().toLowerCase().contains("password") || e.getMessage().toLowerCase().contains("auth")
                || e.getMessage().contains("0x86") || e.getMessage().contains("134"), e.getMessage());
    }

    @Test
    void aCameraWithoutAModelRunsNoInferenceUntilItsFirstUpdateArrives() throws Exception {
        Map<String, Object> noModel = new java.util.HashMap<>();
        noModel.put("initialModel", null);
        EdgeConfig c = config("cam5", List.of()).with(noModel);
        try (EdgeDevice d = EdgeDevice.open(c, Clock.systemUTC())) {
            assertFalse(d.runtime().hasModel());
            Map<String, Object> status = d.runtime().status();
            assertEquals(-1L, status.get("modelVersion"));
            assertTrue(String.valueOf(status.get("model")).startsWith("none"), status.toString());
            assertTrue(d.runtime().process(HealthCheck.sampleFrame(), System.nanoTime()).isEmpty(), "no inference");
            assertEquals(0L, d.runtime().stats().frames());

            send("cam5", model, manifest(model, 0, "cpu", Instant.now().plusSeconds(3600)), MANUFACTURER);
            UpdateOutcome ok = nextReport();
            while (!"cam5".equals(ok.device())) {
                ok = nextReport();
            }
            assertEquals(UpdateOutcome.Status.APPLIED, ok.status(), ok.toString());
            assertTrue(d.runtime().hasModel());
            assertEquals(0, d.runtime().activeVersion());
            assertFalse(d.runtime().process(HealthCheck.sampleFrame(), System.nanoTime()).isEmpty(), "it detects now");
        }
        Map<String, Object> offline = new java.util.HashMap<>(noModel);
        offline.put("mqtt", Map.of("enabled", false));
        offline.put("trustedKey", null);
        offline.put("modelDir", dir.resolve("cam5-offline").toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EdgeDevice.open(c.with(offline), Clock.systemUTC()).close());
        assertTrue(e.getMessage().contains("no initialModel configured"), e.getMessage());
    }
}
