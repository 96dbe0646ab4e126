package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Signed;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferManifest;
import org.diredi.messaging.TransferReceiver;
import org.diredi.messaging.TransferSender;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Chunked transfers cloud -> device through the embedded broker, including a broker restart. */
@ExtendWith(SharedBroker.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransferOverBrokerTest {

    static EmbeddedBroker broker;

    @BeforeAll
    static void useSharedBroker() {
        broker = SharedBroker.broker();
    }

    /** Hands completed transfers (copied out) and failures to the test thread. */
    static final class Inbox implements TransferReceiver.Listener {
        final BlockingQueue<Object[]> done = new ArrayBlockingQueue<>(8);
        final BlockingQueue<String> failed = new ArrayBlockingQueue<>(8);
        final BlockingQueue<String> corrupt = new ArrayBlockingQueue<>(8);

        @Override
        public void onComplete(TransferReceiver.Transfer t) throws Exception {
            done.add(new Object[] {t, Files.readAllBytes(t.payload())});
        }

        @Override
        public void onFailed(String id, String reason) {
            failed.add(id + ": " + reason);
        }

        @Override
        public void onCorruptChunk(String id, int index, String reason) {
            corrupt.add(id + "#" + index);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    @Order(1)
    void threeMegabytesIn64KiBChunksArriveIdenticalWithTheSignedManifest(@TempDir Path dir) throws Exception {
        String base = Topics.ota(TestBroker.CUSTOMER, "cam-01");
        byte[] model = random(3 * 1024 * 1024 + 123, 1);
        var keys = Ed25519.generate();
        byte[] envelope = Signed.sign("{\"version\":7}".getBytes(), keys.getPrivate(), keys.getPublic()).toJson();

        Inbox inbox = new Inbox();
        try (MqttLink cam = new MqttLink(TestBroker.options(broker, "cam-01", "cam-01.ota1"));
             MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.ota1")) {
            new TransferReceiver(base, dir.resolve("staging"), 8 << 20, inbox).attach(cam, 1);
            cam.connect();

            List<long[]> progress = new ArrayList<>();
            TransferManifest sent = TransferSender.send(cloud, base, "model-v7", envelope, model, 64 * 1024,
                    (acked, total) -> progress.add(new long[] {acked, total}));
            assertEquals(49, sent.chunks());

            Object[] got = inbox.done.poll(30, TimeUnit.SECONDS);
            assertNotNull(got, "transfer completed; failures: " + inbox.failed);
            TransferReceiver.Transfer t = (TransferReceiver.Transfer) got[0];
            assertArrayEquals(model, (byte[]) got[1]);
            assertEquals(Hashes.sha256Hex(model), t.sha256());
            assertEquals(base, t.baseTopic());
            assertArrayEquals("{\"version\":7}".getBytes(), Signed.fromJson(t.manifest()).verifiedPayload(keys.getPublic()));
            // Progress: one call per chunk, monotonic, ending at the total.
            assertEquals(49, progress.size());
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i)[0] > progress.get(i - 1)[0]);
            }
            assertEquals(model.length, progress.get(progress.size() - 1)[0]);
            assertTrue(inbox.failed.isEmpty() && inbox.corrupt.isEmpty());
        }
    }

    @Test
    @Order(2)
    void corruptChunkOnTheWireIsReportedAndNeverAssembled(@TempDir Path dir) throws Exception {
        String base = Topics.ota(TestBroker.CUSTOMER, "cam-01");
        byte[] payload = random(10_000, 2);
        int chunk = 4096;
        TransferManifest h = new TransferManifest("bad-1", payload.length, 3, chunk, Hashes.sha256Hex(payload), new byte[0]);
        Inbox inbox = new Inbox();
        try (MqttLink cam = new MqttLink(TestBroker.options(broker, "cam-01", "cam-01.ota2"));
             MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.ota2")) {
            new TransferReceiver(base, dir, 1 << 20, inbox).attach(cam, 1);
            cam.connect();
            cloud.publish(base + "/manifest", h.toJson(), 1, false, Map.of("transfer", "bad-1"));
            for (int i = 0; i < 3; i++) {
                byte[] c = Arrays.copyOfRange(payload, i * chunk, Math.min(payload.length, (i + 1) * chunk));
                Map<String, String> props = new LinkedHashMap<>(Map.of("transfer", "bad-1", "index", "" + i,
                        "count", "3", "sha256", Hashes.sha256Hex(c)));
                byte[] wire = c.clone();
                if (i == 1) {
                    wire[100] ^= 1; // flipped in transit
                }
                cloud.publish(base + "/chunk", wire, 1, false, props);
            }
            assertEquals("bad-1#1", inbox.corrupt.poll(10, TimeUnit.SECONDS));
            assertNull(inbox.done.poll(300, TimeUnit.MILLISECONDS), "not assembled with a chunk missing");

            byte[] c1 = Arrays.copyOfRange(payload, chunk, 2 * chunk);
            cloud.publish(base + "/chunk", c1, 1, false, Map.of("transfer", "bad-1", "index", "1", "count", "3",
                    "sha256", Hashes.sha256Hex(c1)));
            Object[] got = inbox.done.poll(10, TimeUnit.SECONDS);
            assertNotNull(got);
            assertArrayEquals(payload, (byte[]) got[1]);
        }
    }

    @Test
    @Order(3) // last: restarts the shared broker
    void transferSurvivesABrokerRestartMidUpload(@TempDir Path dir) throws Exception {
        String base = Topics.ota(TestBroker.CUSTOMER, "cam-02");
        byte[] model = random(2 * 1024 * 1024, 3);
        int chunk = 32 * 1024; // 64 chunks
        Inbox inbox = new Inbox();
        MqttLink.Options camOpts = TestBroker.options(broker, "cam-02", "cam-02.restart")
                .withSession(false, 600)
                .withPersistenceDir(dir.resolve("paho-cam"));
        MqttLink.Options cloudOpts = TestBroker.options(broker, "cloud", "cloud.restart")
                .withSession(false, 600)
                .withPersistenceDir(dir.resolve("paho-cloud"));
        try (MqttLink cam = new MqttLink(camOpts); MqttLink cloud = new MqttLink(cloudOpts)) {
            CountDownLatch camBack = new CountDownLatch(1);
            CountDownLatch cloudLost = new CountDownLatch(1);
            cam.onReconnected(camBack::countDown);
            cloud.onConnectionLost(cloudLost::countDown);
            new TransferReceiver(base, dir.resolve("staging"), 8 << 20, inbox).attach(cam, 1);
            cam.connect();
            cloud.connect();

            AtomicLong ackedAtRestart = new AtomicLong(-1);
            AtomicInteger restarts = new AtomicInteger();
            int port = broker.port();
            TransferSender.Progress restartOnce = (acked, total) -> {
                if (acked >= total / 3 && restarts.getAndIncrement() == 0) {
                    ackedAtRestart.set(acked);
                    broker.restart(); // on the sender's thread: the restart lands mid-upload for sure
                }
            };
            new TransferSender(Duration.ofSeconds(30), 4).transfer(cloud, base, "model-r1", new byte[0], model, chunk,
                    restartOnce);

            assertTrue(ackedAtRestart.get() > 0 && ackedAtRestart.get() < model.length, "restart happened mid-upload");
            assertEquals(port, broker.port(), "same port after restart");
            assertTrue(cloudLost.await(1, TimeUnit.SECONDS), "sender saw the connection drop");
            Object[] got = inbox.done.poll(30, TimeUnit.SECONDS);
            assertNotNull(got, "assembled after the restart; failures: " + inbox.failed);
            assertTrue(camBack.getCount() == 0, "receiver reconnected automatically");
            assertArrayEquals(model, (byte[]) got[1]);
            assertTrue(inbox.failed.isEmpty(), inbox.failed.toString());
        }
    }
}
