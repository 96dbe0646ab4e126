package org.diredi.workflow.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.diredi.broker.AccountStore;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.CloudConfig;
import org.diredi.cloud.registry.FleetRegistry;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.checkpoint.Manifest;
import org.diredi.core.model.Presets;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.fleet.FleetConfig;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.onprem.OnPremConfig;
import org.diredi.vision.box.Box;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.ClassList;
import org.diredi.vision.data.VocImage;
import org.diredi.vision.data.VocObject;
import org.diredi.vision.data.VocWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's parts that need no training: the deployment as README's Deploy section makes it (keys, the
 * broker's and fleet's files, enrolment, the bundle, each machine's file with the run's settings set in
 * it, no password in any of them or in what is printed), the camera watch over the broker so set up, and
 * the waits.
 */
class DemoWiringTest {

    @TempDir
    static Path dir;
    static DemoSettings s;
    static EmbeddedBroker broker;
    static DemoDeployment.Enrolled fleet;
    static final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    static DemoDeployment deploy;
    static DemoData data;

    /** Enrolled once: each account costs a full-strength PBKDF2 hash. */
    @BeforeAll
    static void enrol() throws Exception {
        s = DemoSettings.builder().out(dir.resolve("demo")).family("tiny").epochs(new DemoSettings.Epochs(1, 2, 3, 4))
                .build();
        List<String> classes = ClassList.FASHION.names();
        Path tutor = dir.resolve("manufacturer/tutor.ckpt");
        Path edge = dir.resolve("manufacturer/edge.ckpt");
        Checkpoint.write(tutor, Manifest.builder("tutor", Presets.get("tiny/tutor"), classes).build(), List.of(), null);
        Checkpoint.write(edge, Manifest.builder("edge", Presets.get("tiny/edge"), classes).build(), List.of(), null);
        Path presumed = dir.resolve("presumed-data");
        VocWriter voc = new VocWriter(presumed, ClassList.FASHION);
        voc.write("a", new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), List.of(new VocObject(
                ClassList.FASHION.indexOf("bag"), new Box(2, 2, 20, 20), false, false)));
        voc.writeSplit("train", List.of("a"));
        ClassList.FASHION.write(presumed.resolve("classes.txt"));
        data = new DemoData(dir.resolve("scenes"), ClassList.FASHION, null, presumed, dir.resolve("customer-data"),
                dir.resolve("manufacturer-data"));
        deploy = new DemoDeployment(s, new PrintStream(printed, true, StandardCharsets.UTF_8));
        deploy.keys();
        broker = EmbeddedBroker.start(BrokerConfig.load(deploy.brokerConfig()));
        fleet = deploy.enrol(broker.serverUri(), new ManufacturerStages.Models(tutor, edge), data);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyMachineIsEnrolledAndGetsTheRunsSettingsInItsOwnFile() throws Exception {
        BrokerConfig b = BrokerConfig.load(s.out().resolve("broker.yaml"));
        assertEquals(0, b.port());
        FleetConfig f = FleetConfig.load(s.out().resolve("fleet.yaml"));
        assertEquals(Path.of(b.accountStore()), Path.of(f.accountStore()), "enrolment writes the store the broker reads");
        assertEquals(broker.serverUri(), f.brokerUri());
        assertEquals("tiny/edge", f.models().edgePreset());
        assertEquals(List.of("cloud", "demo-onprem", "demo-cam1", "demo-cam2"),
                AccountStore.read(Path.of(b.accountStore())).stream().map(BrokerConfig.User::username).toList());

        CloudConfig c = CloudConfig.load(deploy.cloud(fleet, data));
        assertEquals(broker.serverUri(), c.broker());
        assertEquals(password(fleet.cloud().getParent()), c.secret());
        assertEquals(10.0, c.gate().maxDropOther());
        assertEquals(5.0, c.gate().minGainAdded());
        assertEquals(0.7, c.lambda(), 1e-6);
        assertEquals(4, c.distillCEpochs());
        assertEquals(24, c.otaExpiryHours());
        assertEquals(org.diredi.cloud.update.AddedClassKnowledge.UNLABELLED, c.addedClassKnowledge(),
                "the demo's cloud has no labels of the added class by default");
        assertEquals(0.3, c.pseudoLabels().scoreThreshold(), 1e-9);
        assertEquals(2, c.pseudoLabels().maxPerClass());
        assertTrue(c.customers().isEmpty(), "the cloud's customers come from the registry");
        CloudConfig.Customer demo = new FleetRegistry(Path.of(c.registry())).read().customers().get("demo");
        assertEquals("tiny/edge", demo.edgePreset());
        assertEquals(0, demo.version());
        assertEquals(List.of(new CloudConfig.Device("cam1", "cpu"), new CloudConfig.Device("cam2", "cpu")),
                demo.devices());
        assertEquals(List.of("demo-onprem"), demo.onprem());

        OnPremConfig o = deploy.onprem(fleet, data);
        assertEquals("demo-onprem", o.username());
        assertEquals(password(fleet.onprem()), o.secret());
        assertEquals(3, o.epochs());
        assertEquals(0.002f, o.learningRate());
        assertEquals(List.of("boot"), o.added());
        assertEquals(s.presumed(), o.presumed());
        assertTrue(Files.isRegularFile(Path.of(o.tutor())), "the bundle is unpacked where onprem.yaml points: " + o.tutor());
        assertTrue(Files.isDirectory(Path.of(o.presumedData()).resolve("JPEGImages")), o.presumedData());
        assertEquals(s.out().resolve("onprem").toAbsolutePath().normalize(), Path.of(o.workDir()));
        assertTrue(Files.isRegularFile(Path.of(o.signingKey())), "enrolment's signing key stays: " + o.signingKey());
        assertEquals("val", o.privateValidationSplit());
        assertEquals(0.7, o.figuresLambda(), 1e-9, "the figures measure the tutor the cloud makes (its lambda)");

        Path cam2 = deploy.camera(fleet, "cam2", dir.resolve("edge-v0.onnx"), dir.resolve("frames"));
        EdgeConfig e = EdgeConfig.load(cam2);
        assertEquals("cam2", e.device().id());
        assertEquals("demo-cam2", e.mqtt().username());
        assertEquals("broker.password", e.mqtt().passwordFile(), "the camera runs in its folder");
        assertEquals("models", e.modelDir());
        assertEquals(4, e.source().fpsLimit());
        assertEquals(3600, e.mqtt().sessionExpirySeconds());
        assertEquals(dir.resolve("frames").toAbsolutePath().toString(), e.source().path());

        String out = printed.toString(StandardCharsets.UTF_8);
        for (String command : List.of("$ ./diredi keys init --out ", "$ ./diredi broker serve --config ",
                "$ ./diredi fleet add-cloud --config ", "$ ./diredi fleet add-customer demo --config ",
                "$ ./diredi fleet add-onprem demo --config ", "$ ./diredi fleet add-device demo cam2 --profile cpu",
                "$ ./diredi fleet bundle-onprem demo --out ", "$ ./diredi onprem unpack --bundle ",
                "$ ./diredi edge run --config edge.yaml", "set {\"initialModel\"")) {
            assertTrue(out.contains(command), "printed: " + command);
        }
        List<Path> files = List.of(s.out().resolve("broker.yaml"), s.out().resolve("fleet.yaml"), fleet.cloud(),
                fleet.onprem().resolve("onprem.yaml"), cam2);
        for (Path folder : List.of(fleet.cloud().getParent(), fleet.onprem(), fleet.cameras().get("cam1"),
                fleet.cameras().get("cam2"))) {
            String secret = password(folder);
            assertFalse(out.contains(secret), "the output holds the password of " + folder);
            for (Path file : files) {
                assertFalse(Files.readString(file).contains(secret), file + " holds the password of " + folder);
            }
        }
    }

    @Test
    void theWatchFollowsStatusesReportsAndDetections() throws Exception {
        VocImage frame = new VocImage("f", dir.resolve("f.jpg"), 100, 100, List.of(new VocObject(
                ClassList.FASHION.indexOf("boot"), new Box(10, 10, 50, 50), false, false)));
        DetectionTally tally = new DetectionTally(Map.of("f.jpg", frame), ClassList.FASHION);
        try (CameraWatch w = CameraWatch.connect(broker.serverUri(), "cloud", password(fleet.cloud().getParent()),
                     "demo", List.of("cam1"), tally);
             MqttLink cam = new MqttLink(MqttLink.Options.of(broker.serverUri(), "demo-cam1")
                     .withCredentials("demo-cam1", password(fleet.cameras().get("cam1"))))) {
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

    /** The account's password, from the file enrolment put in its machine's folder. */
    private static String password(Path folder) throws IOException {
        return Files.readString(folder.resolve("broker.password"));
    }

    private static void status(MqttLink cam, long version, long frames) {
        publish(cam, Topics.status("demo", "cam1"), Map.of("modelVersion", version, "frames", frames));
    }

    private static void publish(MqttLink link, String topic, Map<String, ?> json) {
        link.publish(topic, ConfigFiles.toJson(json).getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
    }
}
