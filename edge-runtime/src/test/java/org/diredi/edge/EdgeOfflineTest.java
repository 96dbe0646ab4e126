package org.diredi.edge;

import static org.diredi.edge.CameraRig.CUSTOMER;
import static org.diredi.edge.CameraRig.await;
import static org.diredi.edge.CameraRig.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.gpio.GpioRule;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.outbox.DiskQueue;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.vision.box.Detection;
import org.diredi.vision.fcos.FcosDecoder;
import org.diredi.vision.image.Preprocess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera that boots while its broker is down: it detects, drives its GPIO rules and queues its events
 * on disk (across a restart of its own), and once the broker appears it delivers every queued event and
 * applies the update that was published for it while it was away.
 */
class EdgeOfflineTest {

    static final KeyPair MANUFACTURER = Ed25519.generate();

    /** A GPIO rule that the sample frame switches on: its best class, at half its score. */
    static GpioRule ruleSeenOnTheSampleFrame(Path dir) {
        Frame s = HealthCheck.sampleFrame();
        try (OnnxDetector det = new OnnxDetector(EdgeFixtures.write(dir, "probe.onnx", EdgeFixtures.model()), 1,
                new FcosDecoder.Config(0.05f, 1000, 0.6f, 100))) {
            int n = det.inputSize();
            Detection best = det.detect(Preprocess.bgrToChw(s.bgr(), s.width(), s.height(), n, n), s.width(), s.height())
                    .detections().stream().max((a, b) -> Float.compare(a.score(), b.score())).orElseThrow();
            return new GpioRule(17, EdgeFixtures.CLASSES.get(best.classId()), best.score() / 2, 0);
        }
    }

    static Set<String> hashes(List<byte[]> payloads) {
        Set<String> out = new HashSet<>();
        synchronized (payloads) {
            payloads.forEach(p -> out.add(Hashes.sha256Hex(p)));
        }
        return out;
    }

    @Test
    void aCameraStartedWithoutItsBrokerDetectsQueuesAndCatchesUpOnceTheBrokerAppears(@TempDir Path dir)
            throws Exception {
        Path key = dir.resolve("manufacturer.pub.pem");
        Ed25519.writePublicKey(key, MANUFACTURER.getPublic());
        byte[] model = EdgeFixtures.model();
        int port = CameraRig.freePort();
        String uri = "tcp://127.0.0.1:" + port;
        EdgeConfig cam = CameraRig.camera(dir.resolve("cam5"), "cam5", uri, key, List.of(ruleSeenOnTheSampleFrame(dir)));
        try (EmbeddedBroker broker = EmbeddedBroker.start(CameraRig.broker(dir.resolve("broker"), port, "cam5"));
             CameraRig.Cloud cloud = new CameraRig.Cloud(uri, dir.resolve("paho-cloud"), "cam5")) {
            // Installed earlier: the camera's persistent session on the broker holds its OTA subscription, so an
            // update published while the camera is away waits there for it (MQTT keeps nothing for a client it
            // has never seen). Then the broker goes down.
            EdgeDevice.open(cam, Clock.systemUTC()).close();
            TransferSender.send(cloud.link, Topics.ota(CUSTOMER, "cam5"), "update-1", EdgeFixtures.signed(
                    EdgeFixtures.manifest(model, 1, "cpu", Instant.now().plusSeconds(3600)), MANUFACTURER), model,
                    256 * 1024, null);
            broker.stop();

            try (EdgeDevice d = EdgeDevice.open(cam, Clock.systemUTC())) { // no broker listens: it starts all the same
                assertEquals("offline", d.runtime().status().get("connection"));
                for (int i = 0; i < 5; i++) {
                    assertFalse(d.runtime().process(frame(i), System.nanoTime()).isEmpty(), "detects offline");
                }
                assertTrue(d.runtime().gpio().isHigh(17), "GPIO rules run offline");
                await(10, "5 events queued on disk", () -> d.outbox().queue().size() == 5);
            }
            Set<String> queued = new HashSet<>();
            try (EdgeDevice d = EdgeDevice.open(cam, Clock.systemUTC())) { // restarted, still offline
                assertEquals(5, d.outbox().queue().size(), "the queue survived the camera's restart");
                for (int i = 5; i < 10; i++) {
                    d.runtime().process(frame(i), System.nanoTime());
                }
                await(10, "10 events queued on disk", () -> d.outbox().queue().size() == 10);
                for (DiskQueue.Entry e : d.outbox().queue().peek(100)) {
                    queued.add(Hashes.sha256Hex(e.message().payload()));
                }
                Map<?, ?> status = d.runtime().status();
                assertEquals("offline", status.get("connection"));
                assertEquals(Map.of("pending", 10, "dropped", 0L, "refused", 0L), status.get("queue"));
                assertEquals(0, d.runtime().activeVersion());

                broker.start(); // the broker appears, after the camera, on the port the camera was given
                await(30, "every queued event delivered", () -> hashes(cloud.events).containsAll(queued));
                await(30, "the update published meanwhile applied", () -> d.runtime().activeVersion() == 1);
                await(10, "its report delivered", () -> !cloud.reports.isEmpty());
                UpdateOutcome o = cloud.reports.get(0);
                assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
                assertEquals(1, o.version());
                await(10, "status online with nothing pending", () -> "online".equals(d.runtime().status()
                        .get("connection")) && d.outbox().pending() == 0);
            }
            assertEquals(10, queued.size());
            assertEquals(queued, hashes(cloud.events), "exactly the queued events, byte for byte");
        }
    }
}
