package org.diredi.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.RejectedByBroker;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferManifest;
import org.diredi.messaging.TransferReceiver;
import org.diredi.messaging.TransferSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed mosquitto configuration ({@code broker/mosquitto/}) on a real mosquitto 2.0 process,
 * driven over MQTT v5 with {@link MqttLink}: the same role policy as the embedded broker
 * ({@link BrokerAccessTest}), and where mosquitto answers differently, what it does instead.
 *
 * <p>Observed with Debian's mosquitto 2.0.11:
 * <ul>
 * <li>SUBSCRIBE is not checked against the acl file (security_default.c: "FIXME - implement ACL
 * subscription strings"): a subscription to another device's OTA is granted (SUBACK 0x01) and
 * every message is filtered at delivery by the "read" rules, so nothing arrives. HiveMQ refuses
 * with SUBACK 0x87.</li>
 * <li>A refused PUBLISH (QoS 1) gets PUBACK 0x87 and the client stays connected (HiveMQ
 * disconnects it).</li>
 * <li>A wrong password or unknown user gets CONNACK 0x87 "not authorised" (HiveMQ: 0x86).</li>
 * <li>With {@code use_username_as_clientid} a foreign client id is silently replaced by the user
 * name (HiveMQ refuses it with 0x85).</li>
 * </ul>
 */
class MosquittoAclTest {

    static final String ACME = "acme";
    static final String GLOBEX = "globex";
    static final String CAM1 = "acme-cam-01";
    static final String CAM2 = "acme-cam-02";
    static final String ONPREM = "acme-onprem";
    static final String CLOUD = "cloud";
    static final String WORKER = "worker1";
    static final byte[] X = "x".getBytes(StandardCharsets.UTF_8);

    static MosquittoProcess mosquitto;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        mosquitto = new MosquittoProcess(List.of(
                new String[] {"device", ACME, "cam-01"},
                new String[] {"device", ACME, "cam-02"},
                new String[] {"device", GLOBEX, "cam-01"},
                new String[] {"device", GLOBEX, "cam-02", GLOBEX + "-cam-02", "cpu"},
                new String[] {"onprem", ACME},
                new String[] {"cloud", CLOUD},
                new String[] {"worker", WORKER}));
        System.out.printf("%s: plain %d, TLS %d, ready in %d ms%n", mosquitto.version, mosquitto.plainPort,
                mosquitto.tlsPort, (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    static MqttLink.Options options(String user, String clientId) {
        return MqttLink.Options.of(mosquitto.tcpUri(), clientId)
                .withCredentials(user, user + "-pw")
                // Off: a refused or taken-over connection must stay down, not retry in the background.
                .withAutomaticReconnect(false)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    /** Over the TLS listener: {@code ssl://host:port}, as cloud. */
    static MqttLink.Options tlsOptions(String host) {
        return MqttLink.Options.of(mosquitto.sslUri(host), CLOUD)
                .withCredentials(CLOUD, CLOUD + "-pw")
                .withAutomaticReconnect(false)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    static MqttLink connect(String user) {
        MqttLink link = new MqttLink(options(user, user));
        link.connect();
        return link;
    }

    static MqttLink.Handler into(BlockingQueue<String> q) {
        return (t, p, u) -> q.add(t + " " + new String(p, StandardCharsets.UTF_8));
    }

    static void publish(MqttLink link, String topic, String text) {
        link.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false, Map.of());
    }

    @Test
    void committedConfigurationCarriesThePolicy() throws Exception {
        String conf = Files.readString(MosquittoProcess.committedFolder().resolve("mosquitto.conf"));
        for (String line : List.of("allow_anonymous false", "listener 8883", "require_certificate false",
                "max_topic_alias 0", "use_username_as_clientid true", "persistence true", "max_packet_size 16777216",
                "max_queued_messages 20000", "persistent_client_expiration 30d")) {
            assertTrue(conf.lines().anyMatch(l -> l.strip().equals(line)), "mosquitto.conf: " + line);
        }
        // The embedded broker's queue limit, so both brokers hold the same chunked update.
        assertEquals(20000, BrokerConfig.defaults().maxQueuedMessages());
        assertEquals(16777216, BrokerConfig.defaults().maxPacketBytes());
        assertTrue(mosquitto.isAlive(), mosquitto.log());
    }

    /** Enrolment writes, from Java, the very blocks add-device.sh writes for each role. */
    @Test
    void javaWritesTheAclBlocksOfAddDeviceSh() throws Exception {
        String acl = Files.readString(mosquitto.dir.resolve("acl"));
        String hash = Passwords.hash("x".toCharArray(), 1000);
        for (BrokerConfig.User u : List.of(new BrokerConfig.User(CAM1, hash, BrokerConfig.DEVICE, ACME, "cam-01"),
                new BrokerConfig.User(GLOBEX + "-cam-02", hash, BrokerConfig.DEVICE, GLOBEX, "cam-02", "cpu"),
                new BrokerConfig.User(ONPREM, hash, BrokerConfig.ONPREM, ACME, null),
                new BrokerConfig.User(CLOUD, hash, BrokerConfig.CLOUD, null, null),
                new BrokerConfig.User(WORKER, hash, BrokerConfig.WORKER, null, null))) {
            assertTrue(acl.contains("\n" + MosquittoFiles.aclBlock(u)), "add-device.sh's block for " + u + ":\n"
                    + MosquittoFiles.aclBlock(u) + "\nnot in\n" + acl);
        }
    }

    /** A cloud worker takes the intake's jobs through a shared subscription and may publish only that it decided one. */
    @Test
    void aWorkerTakesSharedJobsAndPublishesOnlyItsDecidedNotes() throws Exception {
        BlockingQueue<String> jobs = new LinkedBlockingQueue<>();
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (MqttLink cloud = connect(CLOUD); MqttLink worker = connect(WORKER)) {
            worker.subscribe(Topics.sharedJobs("workers"), 1, into(jobs));
            cloud.subscribe(Topics.ALL_DECIDED, 1, into(seen));
            publish(cloud, Topics.job(ACME), "job");
            assertEquals(Topics.job(ACME) + " job", jobs.poll(5, TimeUnit.SECONDS));
            publish(worker, Topics.decided(ACME), "t1");
            assertEquals(Topics.decided(ACME) + " t1", seen.poll(5, TimeUnit.SECONDS));
            for (String topic : List.of(Topics.job(ACME), Topics.decision(ACME), Topics.ota(ACME, "cam-01") + "/manifest")) {
                RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> publish(worker, topic, "forged"), topic);
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode());
            }
        }
    }

    /** An account added by MosquittoFiles (passwd line in mosquitto's format, acl block) works after a reload. */
    @Test
    void anAccountWrittenFromJavaConnectsAfterAReloadWithItsGrantsOnly() throws Exception {
        String user = "globex-cam-09";
        BrokerConfig.User u = new BrokerConfig.User(user, Passwords.hash("x".toCharArray(), 1000), BrokerConfig.DEVICE,
                GLOBEX, "cam-09", "cpu");
        assertTrue(MosquittoFiles.aclBlock(u).contains("\ntopic read " + Topics.profileUpdates(GLOBEX, "cpu") + "/#\n"),
                MosquittoFiles.aclBlock(u));
        MosquittoFiles.add(mosquitto.dir, u, MosquittoFiles.passwdLine(user, (user + "-pw").toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> MosquittoFiles.add(mosquitto.dir, u, "x"), "added twice");
        mosquitto.reload();
        MqttLink cam = null;
        for (int attempt = 0; cam == null; attempt++) {
            try {
                cam = connect(user);
            } catch (RejectedByBroker e) {
                if (attempt == 20) {
                    throw e;
                }
                Thread.sleep(100); // the reload is asynchronous to the signal
            }
        }
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        BlockingQueue<String> leaked = new LinkedBlockingQueue<>();
        try (MqttLink c = cam; MqttLink cloud = connect(CLOUD); MqttLink acme = connect(CAM1)) {
            // the fan-out update of its customer and profile reaches it, and no other customer's camera
            String fanOut = Topics.profileUpdates(GLOBEX, "cpu") + "/manifest";
            c.subscribe(Topics.profileUpdates(GLOBEX, "cpu") + "/#", 1, into(got));
            c.subscribe(Topics.profileUpdates(GLOBEX, "imx500") + "/#", 1, into(leaked));
            acme.subscribe(Topics.profileUpdates(GLOBEX, "cpu") + "/#", 1, into(leaked));
            publish(cloud, fanOut, "update for globex cpu");
            publish(cloud, Topics.profileUpdates(GLOBEX, "imx500") + "/manifest", "update for globex imx500");
            assertEquals(fanOut + " update for globex cpu", got.poll(5, TimeUnit.SECONDS));
            assertNull(leaked.poll(300, TimeUnit.MILLISECONDS), "another profile's or customer's camera: " + leaked);
            assertEquals(RejectedByBroker.NOT_AUTHORIZED, assertThrows(RejectedByBroker.class,
                    () -> publish(c, fanOut, "forged")).reasonCode());
            publish(c, Topics.detections(GLOBEX, "cam-09"), "own");
            RejectedByBroker e = assertThrows(RejectedByBroker.class,
                    () -> publish(c, Topics.detections(GLOBEX, "cam-01"), "forged"));
            assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode());
        }
    }

    /** (a) Device A subscribes to device B's OTA: granted, but nothing of B's ever reaches A. */
    @Test
    void deviceNeverReceivesAnotherDevicesOta() throws Exception {
        BlockingQueue<String> a = new LinkedBlockingQueue<>();
        BlockingQueue<String> b = new LinkedBlockingQueue<>();
        try (MqttLink cloud = connect(CLOUD); MqttLink camA = connect(CAM1); MqttLink camB = connect(CAM2)) {
            String otherOta = Topics.ota(ACME, "cam-02") + "/#";
            // mosquitto 2.0.11 grants both (no exception: SUBACK reason code 0x01 < 0x80) ...
            camA.subscribe(otherOta, 1, into(a));
            camA.subscribe("diredi/v1/#", 1, into(a));
            camB.subscribe(otherOta, 1, into(b));

            String bManifest = Topics.ota(ACME, "cam-02") + "/manifest";
            publish(cloud, bManifest, "update for B");
            assertEquals(bManifest + " update for B", b.poll(5, TimeUnit.SECONDS), "B gets its own update");
            // ... and filters at delivery: B got it above, A (same broker, same moment) does not.
            String aManifest = Topics.ota(ACME, "cam-01") + "/manifest";
            publish(cloud, aManifest, "update for A");
            assertEquals(aManifest + " update for A", a.poll(5, TimeUnit.SECONDS),
                    "A's subscriptions are live: its own update arrives through diredi/v1/#");
            assertNull(a.poll(300, TimeUnit.MILLISECONDS), "nothing else for A: " + a);
            assertTrue(camA.isConnected());
        }
    }

    /** (b) Device A publishes as device B: PUBACK 0x87, nothing forwarded, A stays connected. */
    @Test
    void deviceCannotPublishAsAnotherDevice() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (MqttLink cloud = connect(CLOUD); MqttLink camA = connect(CAM1)) {
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/#", 1, into(seen));
            String own = Topics.detections(ACME, "cam-01");
            for (String foreign : List.of(Topics.detections(ACME, "cam-02"), Topics.status(ACME, "cam-02"),
                    Topics.otaReport(ACME, "cam-02"), Topics.detections(GLOBEX, "cam-01"),
                    // nor can a device inject an update into its own OTA topic
                    Topics.ota(ACME, "cam-01") + "/manifest")) {
                RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> publish(camA, foreign, "forged"));
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode(), e.getMessage());
                assertTrue(e.getMessage().contains("0x87"), e.getMessage());
                assertTrue(camA.isConnected(), "mosquitto keeps the connection after PUBACK 0x87");
            }
            publish(camA, own, "after");
            // The first (and only) message the cloud sees is the legitimate one sent after the forgeries.
            assertEquals(own + " after", seen.poll(5, TimeUnit.SECONDS));
            assertNull(seen.poll(200, TimeUnit.MILLISECONDS), "no forged message: " + seen);
        }
    }

    /** (c) An on-prem trainer cannot publish a model update (or anything outside its deltas). */
    @Test
    void onPremCannotPublishModelUpdates() throws Exception {
        BlockingQueue<String> cam = new LinkedBlockingQueue<>();
        BlockingQueue<String> decisions = new LinkedBlockingQueue<>();
        try (MqttLink cloud = connect(CLOUD); MqttLink onprem = connect(ONPREM); MqttLink cam1 = connect(CAM1)) {
            cam1.subscribe(Topics.ota(ACME, "cam-01") + "/#", 1, into(cam));
            for (String t : List.of(Topics.ota(ACME, "cam-01") + "/manifest", Topics.ota(ACME, "cam-01") + "/chunk",
                    Topics.ota(GLOBEX, "cam-01") + "/manifest", Topics.delta(GLOBEX) + "/manifest",
                    Topics.decision(ACME), Topics.detections(ACME, "cam-01"))) {
                RejectedByBroker e = assertThrows(RejectedByBroker.class, () -> publish(onprem, t, "evil model"));
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode(), t + ": " + e.getMessage());
            }
            assertNull(cam.poll(300, TimeUnit.MILLISECONDS), "the device got nothing: " + cam);

            // It reads its own customer's decisions only (another customer's: granted, filtered).
            onprem.subscribe(Topics.decision(GLOBEX), 1, into(decisions));
            onprem.subscribe(Topics.decision(ACME), 1, into(decisions));
            publish(cloud, Topics.decision(GLOBEX), "globex verdict");
            publish(cloud, Topics.decision(ACME), "acme verdict");
            assertEquals(Topics.decision(ACME) + " acme verdict", decisions.poll(5, TimeUnit.SECONDS));
            assertNull(decisions.poll(200, TimeUnit.MILLISECONDS), "no other customer's decision: " + decisions);
        }
    }

    /** (d) What each role is for works: OTA to the device, device data and deltas to the cloud. */
    @Test
    void positivePathsOfEveryRole() throws Exception {
        BlockingQueue<String> cloudSeen = new LinkedBlockingQueue<>();
        BlockingQueue<String> camSeen = new LinkedBlockingQueue<>();
        BlockingQueue<String> onpremSeen = new LinkedBlockingQueue<>();
        try (MqttLink cloud = connect(CLOUD); MqttLink cam1 = connect(CAM1); MqttLink onprem = connect(ONPREM)) {
            cloud.subscribe(Topics.CLOUD_DELTA_SHARED, 1, (t, p, u) -> cloudSeen.add(t + " " + u.get("transfer")));
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/+/detections", 1, into(cloudSeen));
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/+/status", 1, into(cloudSeen));
            cloud.subscribe(Topics.PREFIX + "/customers/+/devices/+/ota/report", 1, into(cloudSeen));
            cam1.subscribe(Topics.ota(ACME, "cam-01") + "/#", 1, (t, p, u) -> {
                if (!t.endsWith("/report")) { // its own reports come back through ota/#
                    camSeen.add(t + " " + u.get("transfer"));
                }
            });
            onprem.subscribe(Topics.decision(ACME), 1, into(onpremSeen));

            String manifest = Topics.ota(ACME, "cam-01") + "/manifest";
            cloud.publish(manifest, X, 1, false, Map.of("transfer", "v8"));
            assertEquals(manifest + " v8", camSeen.poll(5, TimeUnit.SECONDS));

            for (String t : List.of(Topics.detections(ACME, "cam-01"), Topics.status(ACME, "cam-01"),
                    Topics.otaReport(ACME, "cam-01"))) {
                publish(cam1, t, "ok");
                assertEquals(t + " ok", cloudSeen.poll(5, TimeUnit.SECONDS));
            }

            String delta = Topics.delta(ACME) + "/manifest";
            onprem.publish(delta, X, 1, false, Map.of("transfer", "d1"));
            assertEquals(delta + " d1", cloudSeen.poll(5, TimeUnit.SECONDS), "through the shared subscription");

            publish(cloud, Topics.decision(ACME), "accepted");
            assertEquals(Topics.decision(ACME) + " accepted", onpremSeen.poll(5, TimeUnit.SECONDS));
        }
    }

    /** (e) Wrong password, unknown user, no password, no user name: CONNACK 0x87 (mosquitto's code for all). */
    @Test
    void wrongCredentialsAreRefused() {
        for (MqttLink.Options o : List.of(options(CAM1, CAM1).withCredentials(CAM1, "wrong"),
                options("nobody", "nobody"),
                options(CAM1, CAM1).withCredentials(CAM1, (char[]) null),
                options(CAM1, CAM1).withCredentials(null, (char[]) null))) {
            try (MqttLink link = new MqttLink(o)) {
                RejectedByBroker e = assertThrows(RejectedByBroker.class, link::connect, o.toString());
                assertEquals(RejectedByBroker.NOT_AUTHORIZED, e.reasonCode(), e.getMessage());
                assertFalse(link.isConnected());
            }
        }
    }

    /**
     * A device that connects with another device's client id gets its own session, not the other
     * one's (use_username_as_clientid); one account holds one connection at a time.
     */
    @Test
    void clientIdCannotTakeOverAnotherDevicesSession() throws Exception {
        String otaFilter = Topics.ota(ACME, "cam-02") + "/#";
        String topic = Topics.ota(ACME, "cam-02") + "/manifest";
        MqttLink.Options b = options(CAM2, CAM2).withSession(false, 300);
        try (MqttLink first = new MqttLink(b)) {
            first.subscribe(otaFilter, 1, (t, p, u) -> {});
            first.connect();
        } // B is offline; its session keeps the subscription
        try (MqttLink cloud = connect(CLOUD)) {
            publish(cloud, topic, "queued for B");
        }

        BlockingQueue<String> thief = new LinkedBlockingQueue<>();
        try (MqttLink a = new MqttLink(options(CAM1, CAM2).withSession(false, 300))) {
            a.subscribe(otaFilter, 1, into(thief));
            a.connect(); // accepted: the client id "acme-cam-02" is replaced by the user name acme-cam-01
            assertNull(thief.poll(500, TimeUnit.MILLISECONDS), "A did not get B's session or its queue: " + thief);
        }

        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        CountDownLatch kicked = new CountDownLatch(1);
        try (MqttLink again = new MqttLink(b)) {
            again.subscribe(otaFilter, 1, into(got));
            again.onConnectionLost(kicked::countDown);
            again.connect();
            assertEquals(topic + " queued for B", got.poll(5, TimeUnit.SECONDS), "B's session and queue survived");

            // A second connection of the same account takes the session over and drops the first.
            try (MqttLink second = new MqttLink(options(CAM2, CAM2 + ".other"))) {
                second.connect();
                assertTrue(kicked.await(5, TimeUnit.SECONDS), "the first connection was dropped");
                assertTrue(second.isConnected());
            }
        }
    }

    /**
     * A chunked OTA for an offline device with more chunks (1100) than mosquitto queues by default
     * (1000): arrives complete because mosquitto.conf raises max_queued_messages. (With the default the
     * broker silently drops the excess and the transfer never completes: tried, it times out.)
     */
    @Test
    void chunkedOtaForAnOfflineDeviceArrivesWhole(@TempDir Path dir) throws Exception {
        String base = Topics.ota(GLOBEX, "cam-01");
        String user = "globex-cam-01";
        byte[] model = new byte[1100 * 512 - 100];
        new Random(7).nextBytes(model);
        BlockingQueue<Object> done = new LinkedBlockingQueue<>();
        TransferReceiver.Listener inbox = new TransferReceiver.Listener() {
            @Override
            public void onComplete(TransferReceiver.Transfer t) throws Exception {
                done.add(Files.readAllBytes(t.payload()));
            }

            @Override
            public void onFailed(String id, String reason) {
                done.add(id + " failed: " + reason);
            }
        };
        MqttLink.Options device = options(user, user).withSession(false, 300);
        try (MqttLink first = new MqttLink(device)) {
            new TransferReceiver(base, dir.resolve("staging"), 1 << 20, inbox).attach(first, 1);
            first.connect();
        } // offline

        long t0 = System.nanoTime();
        try (MqttLink cloud = connect(CLOUD)) {
            TransferManifest m = new TransferSender(Duration.ofSeconds(10), 16).transfer(cloud, base, "big-1",
                    "{}".getBytes(StandardCharsets.UTF_8), model, 512, null);
            assertEquals(1100, m.chunks());
        }
        long sent = System.nanoTime();
        try (MqttLink again = new MqttLink(device)) {
            new TransferReceiver(base, dir.resolve("staging"), 1 << 20, inbox).attach(again, 1);
            again.connect();
            Object got = done.poll(20, TimeUnit.SECONDS);
            assertNotNull(got, "transfer incomplete after reconnect\n" + mosquitto.log());
            assertTrue(got instanceof byte[], got.toString());
            assertArrayEquals(model, (byte[]) got);
        }
        System.out.printf("1101 queued messages: sent in %d ms, received after reconnect in %d ms%n",
                (sent - t0) / 1_000_000, (System.nanoTime() - sent) / 1_000_000);
    }

    /**
     * The committed TLS listener (with a throwaway CA from make-certs.sh): MQTT v5 over ssl://
     * works when the client pins exactly that CA ({@code withCaCertificate}, the configs'
     * {@code caCertificate} / {@code brokerCaCertificate}), and fails in the TLS handshake with
     * another CA or when the host dialled is not in the certificate.
     */
    @Test
    void tlsWorksWithThePinnedCaOnly() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        MqttLink.Options o = tlsOptions("127.0.0.1").withCaCertificate(mosquitto.caPem);
        try (MqttLink cloud = new MqttLink(o)) {
            cloud.connect();
            cloud.subscribe(Topics.status(ACME, "cam-01"), 1, into(seen));
            publish(cloud, Topics.status(ACME, "cam-01"), "over TLS");
            assertEquals(Topics.status(ACME, "cam-01") + " over TLS", seen.poll(5, TimeUnit.SECONDS));
        }
        // Wrong credentials are still refused inside TLS.
        try (MqttLink bad = new MqttLink(o.withCredentials(CLOUD, "wrong"))) {
            assertEquals(0x87, assertThrows(RejectedByBroker.class, bad::connect).reasonCode());
        }
        // Right CA, wrong name: the certificate names 127.0.0.1 only, so "localhost" fails the host check.
        try (MqttLink link = new MqttLink(tlsOptions("localhost").withCaCertificate(mosquitto.caPem))) {
            MessagingException e = assertThrows(MessagingException.class, link::connect);
            assertFalse(e instanceof RejectedByBroker, e.toString());
            assertTrue(hasCause(e, SSLException.class), "host name check failure expected: " + e);
        }
        // Another CA: the handshake fails on the client's side, before any password is sent.
        try (MqttLink link = new MqttLink(tlsOptions("127.0.0.1").withCaCertificate(mosquitto.otherCaPem))) {
            MessagingException e = assertThrows(MessagingException.class, link::connect);
            assertFalse(e instanceof RejectedByBroker, "refused by the client's TLS check, not the broker");
            assertTrue(hasCause(e, SSLException.class), "TLS handshake failure expected: " + e);
        }
        // A CA file that is not a certificate, and a CA with a plain-text URI, are errors that say so.
        Path notPem = mosquitto.dir.resolve("not-a-cert.pem");
        Files.writeString(notPem, "hello");
        MessagingException bad = assertThrows(MessagingException.class, () -> new MqttLink(o.withCaCertificate(notPem)));
        assertTrue(bad.getMessage().contains("not-a-cert.pem"), bad.getMessage());
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> options(CLOUD, CLOUD).withCaCertificate(mosquitto.caPem));
        assertTrue(plain.getMessage().contains("ssl://"), plain.getMessage());
        assertTrue(mosquitto.isAlive());
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
