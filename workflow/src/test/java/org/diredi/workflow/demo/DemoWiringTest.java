package org.diredi.workflow.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.CloudConfig;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.onprem.OnPremConfig;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's parts that need no training: every role's config file (what it holds, that it loads, that
 * no password is in it), the broker accounts, the camera watch over a real broker and the waits.
 */
class DemoWiringTest {

    private static final String URI = "tcp://127.0.0.1:1999";
    private static final List<String> CAMS = List.of("cam1", "cam2");

    @TempDir
    static Path dir;
    /** Made once: each account costs a full-strength PBKDF2 hash. */
    static DemoAccounts a;

    @BeforeAll
    static void accounts() throws Exception {
        a = DemoAccounts.create(dir, "demo", CAMS);
    }

    @Test
    void everyRoleStartsFromItsOwnFileWithTheRunsSettings() throws Exception {
        DemoSettings s = DemoSettings.builder().out(dir).family("tiny")
                .epochs(new DemoSettings.Epochs(1, 2, 3, 4)).build();
        RoleConfigs roles = new RoleConfigs(s, a, URI);
        ManufacturerStages.Models m = new ManufacturerStages.Models(dir.resolve("tutor.ckpt"), dir.resolve("edge.ckpt"));
        DemoData d = new DemoData(dir.resolve("scenes"), ClassList.FASHION, null, dir.resolve("presumed-data"),
                dir.resolve("customer-data"), dir.resolve("manufacturer-data"));
        List<Path> files = List.of(RoleConfigs.broker(dir, a), roles.cloud("demo", CAMS, m, d),
                roles.onprem("demo", m, d), roles.camera("demo", "cam2", dir.resolve("edge-v0.onnx"), dir.resolve("f")));

        BrokerConfig b = BrokerConfig.load(files.get(0));
        assertEquals(0, b.port());
        assertEquals(List.of("cloud", "demo-onprem", "cam1", "cam2"), b.users().stream().map(BrokerConfig.User::username)
                .toList());
        CloudConfig c = CloudConfig.load(files.get(1));
        assertEquals(URI, c.broker());
        assertEquals(a.password("cloud"), c.secret());
        assertEquals(10.0, c.gate().maxDropOther());
        assertEquals(5.0, c.gate().minGainAdded());
        assertEquals(0.6, c.lambda(), 1e-6);
        assertEquals(4, c.distillCEpochs());
        assertEquals(24, c.otaExpiryHours());
        assertEquals("tiny/edge", c.customers().get("demo").edgePreset());
        assertEquals(List.of(new CloudConfig.Device("cam1", "cpu"), new CloudConfig.Device("cam2", "cpu")),
                c.customers().get("demo").devices());
        OnPremConfig o = OnPremConfig.load(files.get(2));
        assertEquals("demo-onprem", o.username());
        assertEquals(a.password("demo-onprem"), o.secret());
        assertEquals(3, o.epochs());
        assertEquals(0.002f, o.learningRate());
        assertEquals(List.of("boot"), o.added());
        EdgeConfig e = EdgeConfig.load(files.get(3));
        assertEquals("cam2", e.device().id());
        assertEquals(a.password("cam2"), e.mqtt().secret());
        assertEquals(4, e.source().fpsLimit());
        assertTrue(Path.of(e.modelDir()).isAbsolute(), "the camera is another process");
        for (Path f : files) {
            String text = Files.readString(f);
            for (String account : List.of("cloud", "demo-onprem", "cam1", "cam2")) {
                assertFalse(text.contains(a.password(account)), f + " holds the password of " + account);
            }
        }
    }

    @Test
    void theWatchFollowsStatusesReportsAndDetections() throws Exception {
        VocImage frame = new VocImage("f", dir.resolve("f.jpg"), 100, 100, List.of(new VocObject(
                ClassList.FASHION.indexOf("boot"), new Box(10, 10, 50, 50), false, false)));
        DetectionTally tally = new DetectionTally(Map.of("f.jpg", frame), ClassList.FASHION);
        try (EmbeddedBroker b = EmbeddedBroker.start(BrokerConfig.load(RoleConfigs.broker(dir.resolve("run"), a)));
             CameraWatch w = CameraWatch.connect(b.serverUri(), "cloud", a.password("cloud"), "demo", List.of("cam1"),
                     tally);
             MqttLink cam = new MqttLink(MqttLink.Options.of(b.serverUri(), "cam1")
                     .withCredentials("cam1", a.password("cam1")))) {
            cam.connect();
            status(cam, 0, 3);
            status(cam, 0, 15);
            Await.until("12 frames on v0", Duration.ofSeconds(20), () -> w.framesOn("cam1", 0) == 12);
            publish(cam, Topics.detections("demo", "cam1"), Map.of("modelVersion", 0, "source", "f.jpg", "detections",
                    List.of(Map.of("class", "boot", "box", List.of(11, 9, 50, 52)),
                            Map.of("class", "bag", "box", List.of(0, 0, 5, 5)))));
            publish(cam, Topics.otaReport("demo", "cam1"), Map.of("status", "APPLIED", "version", 1));
            status(cam, 1, 20);
            status(cam, 1, 60);
            Await.until("40 frames on v1", Duration.ofSeconds(20), () -> w.framesOn("cam1", 1) == 40);
            assertEquals(0, w.framesOn("cam1", 0), "no longer on v0");
            Await.until("a report", Duration.ofSeconds(20), () -> w.report("cam1") != null);
            assertEquals("APPLIED", w.report("cam1").get("status"));
            Await.until("a detection event", Duration.ofSeconds(20), () -> tally.frames("v0").equals("1"));
            assertEquals("1 / 1", tally.detections("v0", "boot"));
            assertEquals("0 / 1", tally.detections("v0", "bag"));
            assertEquals("0 / 0", tally.detections("v1", "boot"));
            assertNull(w.report("cam2"));
        }
    }

    @Test
    void aWaitThatTimesOutSaysWhatItWaitedFor() {
        Await.TimedOut e = assertThrows(Await.TimedOut.class,
                () -> Await.until("sign of life", Duration.ofMillis(300), () -> false));
        assertEquals("no sign of life within 0 s", e.getMessage());
    }

    @Test
    void theCommandLineListsBecomeNamedSettings() {
        assertEquals(new DemoSettings.Epochs(6, 8, 4, 5), DemoSettings.DEFAULTS.epochs());
        assertEquals(List.of(6, 8, 4, 5), DemoSettings.Epochs.of(List.of(6, 8, 4, 5)).list());
        assertEquals(0.002f, DemoSettings.RdSettings.of(List.of(0.002f, 1f, 1f)).learningRate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoSettings.Epochs.of(List.of(6, 8)));
        assertTrue(e.getMessage().contains("TUTOR,EDGE,RD,C"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DemoSettings.RdSettings.of(List.of(1f)));
        IllegalStateException noCameras = assertThrows(IllegalStateException.class,
                () -> DemoWorkflow.run(DemoSettings.DEFAULTS, System.out));
        assertTrue(noCameras.getMessage().contains("run it through ./diredi"), noCameras.getMessage());
    }

    private static void status(MqttLink cam, long version, long frames) {
        publish(cam, Topics.status("demo", "cam1"), Map.of("modelVersion", version, "frames", frames));
    }

    private static void publish(MqttLink link, String topic, Map<String, ?> json) {
        link.publish(topic, ConfigFiles.toJson(json).getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
    }
}
