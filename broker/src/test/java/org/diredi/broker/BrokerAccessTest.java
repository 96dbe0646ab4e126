package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Authentication and per-role topic permissions on a real embedded HiveMQ. */
@ExtendWith(SharedBroker.class)
class BrokerAccessTest {

    static EmbeddedBroker broker;

    @BeforeAll
    static void useSharedBroker() {
        broker = SharedBroker.broker();
    }

    @Test
    void brokerReportsTheFreePortItBound() {
        assertTrue(broker.port() > 0, "port 0 resolved to " + broker.port());
        assertEquals("tcp://127.0.0.1:" + broker.port(), broker.serverUri());
    }

    @Test
    void wrongPasswordOrUnknownUserIsRefused() {
        for (String[] who : new String[][] {{"cam-01", "wrong"}, {"nobody", "nobody-pw"}}) {
            MqttLink.Options o = TestBroker.options(broker, who[0], who[0]).withCredentials(who[0], who[1]);
            try (MqttLink link = new MqttLink(o)) {
                RejectedByBroker e = assertThrows(RejectedByBroker.class, link::connect);
                assertEquals(RejectedByBroker.BAD_USERNAME_OR_PASSWORD, e.reasonCode(), e.getMessage());
                assertFalse(link.isConnected());
            }
        }
        MqttLink.Options noPassword = TestBroker.options(broker, "cam-01", "cam-01").withCredentials("cam-01", (char[]) null);
        try (MqttLink link = new MqttLink(noPassword)) {
            assertEquals(0x86, assertThrows(RejectedByBroker.class, link::connect).reasonCode());
        }
    }

    @Test
    void clientIdMustBelongToTheUser() {
        // Otherwise cam-01 could resume cam-02's session and read its queued OTA messages.
        try (MqttLink link = new MqttLink(TestBroker.options(broker, "cam-01", "cam-02"))) {
            RejectedByBroker e = assertThrows(RejectedByBroker.class, link::connect);
            assertEquals(0x85, e.reasonCode(), e.getMessage());
        }
        try (MqttLink ok = TestBroker.connect(broker, "cam-01", "cam-01.camera-app")) {
            assertTrue(ok.isConnected());
        }
    }

    @Test
    void deviceSubscribesToItsOwnOtaOnly() {
        try (MqttLink cam = TestBroker.connect(broker, "cam-01", "cam-01.sub")) {
            cam.subscribe(Topics.ota(TestBroker.CUSTOMER, "cam-01") + "/#", 1, (t, p, u) -> {});
            String other = Topics.ota(TestBroker.CUSTOMER, "cam-02") + "/#";
            RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> cam.subscribe(other, 1, (t, p, u) -> {}));
            assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode());
            assertEquals("not authorised to subscribe to " + other + " (SUBACK 0x87)", e.getMessage());
            String wildcard = Topics.device(TestBroker.CUSTOMER, "x").replace("/x", "/+") + "/ota/#";
            assertEquals(0x87, assertThrows(RejectedByBroker.class, () -> cam.subscribe(wildcard, 1, (t, p, u) -> {}))
                    .reasonCode(), "a wildcard spanning other devices is refused too");
            assertTrue(cam.isConnected(), "HiveMQ refuses the subscription but keeps the connection");
        }
    }

    @Test
    void deviceCannotPublishAsAnotherDevice() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(10);
        try (MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.watch");
             MqttLink cam = TestBroker.connect(broker, "cam-01", "cam-01.pub")) {
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/+/detections", 1,
                    (t, p, u) -> seen.add(t + " " + new String(p, StandardCharsets.UTF_8)));
            CountDownLatch dropped = new CountDownLatch(1);
            cam.onConnectionLost(dropped::countDown);

            String own = Topics.detections(TestBroker.CUSTOMER, "cam-01");
            cam.publish(own, "ok".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            assertEquals(own + " ok", seen.poll(10, TimeUnit.SECONDS));

            String foreign = Topics.detections(TestBroker.CUSTOMER, "cam-02");
            RejectedByBroker e = assertThrows(RejectedByBroker.class,
                    () -> cam.publish(foreign, "forged".getBytes(StandardCharsets.UTF_8), 1, false, Map.of()));
            assertEquals(0x87, e.reasonCode());
            assertTrue(e.getMessage().contains(foreign) && e.getMessage().contains("0x87"), e.getMessage());
            // HiveMQ (MQTT 5) answers an unauthorised QoS 1 publish with PUBACK 0x87 and then
            // disconnects the client (DISCONNECT 0x87), see IncomingPublishService.finishUnauthorizedPublish.
            assertTrue(dropped.await(10, TimeUnit.SECONDS), "HiveMQ disconnects after an unauthorised publish");
            // The forged message never reached a subscriber; a later legitimate one shows the pipe is flowing.
            try (MqttLink cam2 = TestBroker.connect(broker, "cam-02", "cam-02.pub")) {
                cam2.publish(foreign, "real".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
            }
            assertEquals(foreign + " real", seen.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void onPremPublishesDeltasOnlyAndCloudWorkersShareThem() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(10);
        try (MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.worker-1");
             MqttLink onprem = TestBroker.connect(broker, "acme-onprem", "acme-onprem")) {
            cloud.subscribe(Topics.CLOUD_DELTA_SHARED, 1, (t, p, u) -> seen.add(t + " " + u.get("transfer")));
            onprem.subscribe(Topics.decision(TestBroker.CUSTOMER), 1, (t, p, u) -> {});
            assertEquals(0x87, assertThrows(RejectedByBroker.class,
                    () -> onprem.subscribe(Topics.decision("other-co"), 1, (t, p, u) -> {})).reasonCode());

            String delta = Topics.delta(TestBroker.CUSTOMER) + "/manifest";
            onprem.publish(delta, new byte[] {1}, 1, false, Map.of("transfer", "d1"));
            assertEquals(delta + " d1", seen.poll(10, TimeUnit.SECONDS));

            String ota = Topics.ota(TestBroker.CUSTOMER, "cam-01") + "/manifest";
            RejectedByBroker e = assertThrows(RejectedByBroker.class,
                    () -> onprem.publish(ota, new byte[] {1}, 1, false, Map.of()));
            assertEquals(0x87, e.reasonCode());
        }
    }

    @Test
    void aFanOutUpdateReachesEveryCameraOfItsCustomerAndProfileAndNoOther() throws Exception {
        String acmeCpu = Topics.profileUpdates(TestBroker.CUSTOMER, "cpu");
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(16);
        try (MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.fanout");
             MqttLink cpu1 = TestBroker.connect(broker, "acme-cpu-1", "acme-cpu-1");
             MqttLink cpu2 = TestBroker.connect(broker, "acme-cpu-2", "acme-cpu-2");
             MqttLink imx = TestBroker.connect(broker, "acme-imx-1", "acme-imx-1");
             MqttLink globex = TestBroker.connect(broker, "globex-cpu-1", "globex-cpu-1");
             MqttLink plain = TestBroker.connect(broker, "cam-01", "cam-01.fanout")) {
            cpu1.subscribe(acmeCpu + "/#", 1, (t, p, u) -> seen.add("cpu-1 " + t));
            cpu2.subscribe(acmeCpu + "/#", 1, (t, p, u) -> seen.add("cpu-2 " + t));
            imx.subscribe(Topics.profileUpdates(TestBroker.CUSTOMER, "imx500") + "/#", 1, (t, p, u) -> seen.add("imx " + t));
            globex.subscribe(Topics.profileUpdates("globex", "cpu") + "/#", 1, (t, p, u) -> seen.add("globex " + t));
            for (MqttLink other : new MqttLink[] {imx, globex, plain}) {
                assertEquals(0x87, assertThrows(RejectedByBroker.class, () -> other.subscribe(acmeCpu + "/#", 1,
                        (t, p, u) -> seen.add("leak " + t))).reasonCode(), "another profile, customer, or no profile");
            }
            String wildcard = Topics.PREFIX + "/customers/" + TestBroker.CUSTOMER + "/profiles/+/updates/#";
            assertEquals(0x87, assertThrows(RejectedByBroker.class, () -> cpu1.subscribe(wildcard, 1,
                    (t, p, u) -> seen.add("leak " + t))).reasonCode(), "a wildcard over profiles is refused");
            cloud.publish(acmeCpu + "/manifest", new byte[] {1}, 1, false, Map.of("transfer", "t1"));
            java.util.Set<String> got = new java.util.TreeSet<>();
            for (int i = 0; i < 2; i++) {
                got.add(seen.poll(10, TimeUnit.SECONDS));
            }
            assertEquals(java.util.Set.of("cpu-1 " + acmeCpu + "/manifest", "cpu-2 " + acmeCpu + "/manifest"), got);
            assertEquals(null, seen.poll(500, TimeUnit.MILLISECONDS), "nobody else got it");
            // last: HiveMQ drops a client after a refused publish
            assertEquals(0x87, assertThrows(RejectedByBroker.class, () -> cpu1.publish(acmeCpu + "/manifest",
                    new byte[] {1}, 1, false, Map.of())).reasonCode(), "a camera cannot publish an update");
            assertEquals(null, seen.poll(300, TimeUnit.MILLISECONDS), "nor did its forged one reach anybody");
        }
    }

    @Test
    void queuedOtaMessageReachesADeviceThatWasOffline() throws Exception {
        String clientId = "cam-02.ota";
        String filter = Topics.ota(TestBroker.CUSTOMER, "cam-02") + "/#";
        MqttLink.Options persistent = TestBroker.options(broker, "cam-02", clientId).withSession(false, 300);
        try (MqttLink first = new MqttLink(persistent)) {
            first.subscribe(filter, 1, (t, p, u) -> {});
            first.connect();
        } // offline now; the broker keeps the session for 300 s

        String topic = Topics.ota(TestBroker.CUSTOMER, "cam-02") + "/manifest";
        byte[] payload = "update v7".getBytes(StandardCharsets.UTF_8);
        try (MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.ota")) {
            cloud.publish(topic, payload, 1, false, Map.of("transfer", "v7"));
        }

        BlockingQueue<byte[]> got = new ArrayBlockingQueue<>(4);
        try (MqttLink again = new MqttLink(persistent)) {
            again.subscribe(filter, 1, (t, p, u) -> {
                if (t.equals(topic) && "v7".equals(u.get("transfer"))) {
                    got.add(p);
                }
            });
            again.connect();
            byte[] p = got.poll(10, TimeUnit.SECONDS);
            assertArrayEquals(payload, p, "queued QoS 1 message delivered after reconnect");
        }
    }

    /** The cloud's fleet view: every device's retained status and OTA reports; a device gets its rollback instruction. */
    @Test
    void theCloudHearsEveryDevicesStatusAndReportsAndADeviceGetsItsRollbackInstruction() throws Exception {
        BlockingQueue<String> seen = new ArrayBlockingQueue<>(10);
        BlockingQueue<String> atCam = new ArrayBlockingQueue<>(10);
        String status1 = Topics.status(TestBroker.CUSTOMER, "cam-01");
        String status2 = Topics.status(TestBroker.CUSTOMER, "cam-02");
        try (MqttLink cam1 = TestBroker.connect(broker, "cam-01", "cam-01.fleet");
             MqttLink cam2 = TestBroker.connect(broker, "cam-02", "cam-02.fleet")) {
            cam1.publish(status1, "v0".getBytes(StandardCharsets.UTF_8), 1, true, Map.of());
            cam2.publish(status2, "v1".getBytes(StandardCharsets.UTF_8), 1, true, Map.of());
            cam1.subscribe(Topics.ota(TestBroker.CUSTOMER, "cam-01") + "/#", 1,
                    (t, p, u) -> atCam.add(t + " " + new String(p, StandardCharsets.UTF_8)));
            try (MqttLink cloud = TestBroker.connect(broker, "cloud", "cloud.fleet")) {
                MqttLink.Handler into = (t, p, u) -> seen.add(t + " " + new String(p, StandardCharsets.UTF_8));
                cloud.subscribe(Topics.ALL_STATUS, 1, into);
                cloud.subscribe(Topics.ALL_OTA_REPORTS, 1, into);
                java.util.Set<String> retained = new java.util.HashSet<>();
                retained.add(seen.poll(10, TimeUnit.SECONDS));
                retained.add(seen.poll(10, TimeUnit.SECONDS));
                assertEquals(java.util.Set.of(status1 + " v0", status2 + " v1"), retained,
                        "statuses published before the cloud subscribed");
                String report = Topics.otaReport(TestBroker.CUSTOMER, "cam-02");
                cam2.publish(report, "APPLIED".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
                assertEquals(report + " APPLIED", seen.poll(10, TimeUnit.SECONDS));
                String rollback = Topics.otaRollback(TestBroker.CUSTOMER, "cam-01");
                cloud.publish(rollback, "signed".getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
                assertEquals(rollback + " signed", atCam.poll(10, TimeUnit.SECONDS));
            }
            cam1.publish(status1, new byte[0], 1, true, Map.of()); // clears the retained statuses again
            cam2.publish(status2, new byte[0], 1, true, Map.of());
        }
    }
}
