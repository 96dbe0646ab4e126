package org.diredi.edge;

import static org.diredi.edge.CameraRig.CUSTOMER;
import static org.diredi.edge.CameraRig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.model.ModelStore;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against the real (embedded) broker process with its data folder kept across restarts:
 * the broker stops and comes back while a camera runs, and again in the middle of a chunked OTA transfer
 * to it. Every detection event the camera produced reaches the cloud and the update is applied once.
 */
class EdgeBrokerFaultTest {

    static final KeyPair MANUFACTURER = Ed25519.generate();

    /** The camera's frame loop on its own thread, remembering which frames produced an event. */
    static final class Frames implements AutoCloseable {
        final List<Long> withEvents = Collections.synchronizedList(new ArrayList<>());
        final EdgeDevice camera;
        final Thread thread;
        volatile boolean stop;
        volatile int maxQueuedOnDisk;

        Frames(EdgeDevice camera) {
            this.camera = camera;
            thread = new Thread(this::run, "test-frames");
            thread.start();
        }

        private void run() {
            for (long i = 0; !stop; i++) {
                if (!camera.runtime().process(CameraRig.frame(i), System.nanoTime()).isEmpty()) {
                    withEvents.add(i);
                }
                maxQueuedOnDisk = Math.max(maxQueuedOnDisk, camera.outbox().queue().size());
                try {
                    Thread.sleep(40); // about 20 frames a second
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    @Test
    void brokerRestartsWhileTheCameraRunsAndMidUpdateLoseNothingAndTheUpdateLandsOnce(@TempDir Path dir)
            throws Exception {
        Path key = dir.resolve("manufacturer.pub.pem");
        Ed25519.writePublicKey(key, MANUFACTURER.getPublic());
        byte[] model = EdgeFixtures.model();
        byte[] signed = EdgeFixtures.signed(EdgeFixtures.manifest(model, 1, "cpu", Instant.now().plusSeconds(3600)),
                MANUFACTURER);
        try (EmbeddedBroker broker = EmbeddedBroker.start(CameraRig.broker(dir.resolve("broker"), 0, "cam6"))) {
            String uri = broker.serverUri();
            EdgeConfig cam = CameraRig.camera(dir.resolve("cam6"), "cam6", uri, key, List.of());
            try (CameraRig.Cloud cloud = new CameraRig.Cloud(uri, dir.resolve("paho-cloud"), "cam6");
                 EdgeDevice camera = EdgeDevice.open(cam, Clock.systemUTC());
                 Frames frames = new Frames(camera)) {
                await(20, "events flowing", () -> cloud.events.size() >= 10);

                // Fault 1: the broker goes away for 2 s (plus its start-up) while the camera runs.
                broker.stop();
                Thread.sleep(2000);
                broker.start();
                await(30, "the camera back online", () -> camera.outbox().online());

                // Fault 2: the broker restarts a third of the way into a chunked update (24 chunks of 64 KiB).
                AtomicLong ackedAtRestart = new AtomicLong(-1);
                new TransferSender(Duration.ofSeconds(60), 4).transfer(cloud.link, Topics.ota(CUSTOMER, "cam6"),
                        "update-1", signed, model, 64 * 1024, (acked, total) -> {
                            if (acked >= total / 3 && ackedAtRestart.compareAndSet(-1, acked)) {
                                broker.restart(); // on the sender's thread: lands mid-transfer for sure
                            }
                        });
                await(60, "the update applied", () -> camera.runtime().activeVersion() == 1);
                Thread.sleep(1000);
                frames.close();

                Set<Long> produced = new HashSet<>(frames.withEvents);
                await(30, "every event delivered", () -> new HashSet<>(cloud.frames()).containsAll(produced));
                await(10, "the camera's outbox empty", () -> camera.outbox().pending() == 0);
                await(10, "the update's report delivered", () -> !cloud.reports.isEmpty());
                Thread.sleep(500); // a duplicate report would arrive by now

                List<Long> received = cloud.frames();
                assertEquals(produced, new HashSet<>(received), "exactly the frames the camera saw, none lost");
                assertTrue(frames.maxQueuedOnDisk > 0, "the faults did hit the camera: events waited on disk");
                assertTrue(ackedAtRestart.get() > 0 && ackedAtRestart.get() < model.length, "restarted mid-transfer");
                Set<UpdateOutcome> reports = new HashSet<>(cloud.reports); // a QoS 1 resend repeats the same report
                assertEquals(1, reports.size(), "one outcome: " + cloud.reports);
                UpdateOutcome o = reports.iterator().next();
                assertEquals(UpdateOutcome.Status.APPLIED, o.status(), o.toString());
                assertEquals(1, o.version());
                ModelStore store = camera.runtime().store();
                assertEquals(List.of(0L, 1L), store.versions(), "installed once, next to the initial model");
                ModelStore.Installed active = store.active().orElseThrow();
                assertEquals(1, active.version());
                assertEquals(Hashes.sha256Hex(model), Hashes.sha256Hex(Files.readAllBytes(store.path(active))),
                        "the running model is the shipped one, byte for byte");
                System.out.printf("fault test: %d frames with events, %d events received (%d repeats), at most %d"
                        + " queued on disk, %d OTA report message(s)%n", produced.size(), received.size(),
                        received.size() - produced.size(), frames.maxQueuedOnDisk, cloud.reports.size());
            }
        }
    }
}
