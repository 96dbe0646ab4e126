package org.diredi.cloud.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.EmbeddedBroker;
import org.diredi.cloud.AuditLog;
import org.diredi.cloud.CloudConfig;
import org.diredi.edge.EdgeDevice;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.UpdateManifest;
import org.diredi.vision.data.ClassList;

/** A broker, the manufacturer's keys, cameras of the cpu profile and a fleet, for the rollout tests. */
final class FleetRig implements AutoCloseable {

    static final String PASSWORD = "pw";
    final Path dir;
    final EmbeddedBroker broker;
    final KeyPair keys = Ed25519.generate();
    final Path key;
    final Path pub;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** {@code cameras}: customer -> its camera ids (each gets a device account). */
    FleetRig(Path dir, Map<String, List<String>> cameras) throws IOException {
        this.dir = dir;
        key = dir.resolve("k.pem");
        pub = dir.resolve("k.pub.pem");
        Ed25519.writePrivateKey(key, keys.getPrivate());
        Ed25519.writePublicKey(pub, keys.getPublic());
        String h = BrokerConfig.hashPassword(PASSWORD.toCharArray());
        List<BrokerConfig.User> users = new ArrayList<>(List.of(new BrokerConfig.User("cloud", h, BrokerConfig.CLOUD,
                null, null)));
        cameras.forEach((c, ids) -> ids.forEach(d -> users.add(new BrokerConfig.User(d, h, BrokerConfig.DEVICE, c, d,
                "cpu"))));
        broker = EmbeddedBroker.start(BrokerConfig.defaults().withPort(0).withDataDir(dir.resolve("broker"))
                .withUsers(users));
    }

    /** The trained 96 px detector (ONNX, FP32) every camera starts with as v0. */
    static byte[] model() {
        try (InputStream in = FleetRig.class.getResourceAsStream("/org/diredi/inference/trained-small.onnx")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cloud's configuration for {@code customer}: its cameras on the cpu profile, the rollout settings. */
    CloudConfig config(String customer, List<String> cameras, RolloutSettings rollout) {
        return config(customer, cameras, rollout, 0);
    }

    /** The same with the customer's version in the cloud's customer list (the registry) at {@code version}. */
    CloudConfig config(String customer, List<String> cameras, RolloutSettings rollout, long version) {
        return CloudConfig.DEFAULTS.with(Map.of("broker", broker.serverUri(), "password", PASSWORD,
                "signingKey", key.toString(), "publicKey", pub.toString(),
                "workDir", dir.resolve("cloud-" + customer).toString(), "otaExpiryHours", 1, "chunkBytes", 65536,
                "customers", Map.of(customer, new CloudConfig.Customer("t.ckpt", "e.ckpt", "tiny/edge", version,
                        cameras.stream().map(d -> new CloudConfig.Device(d, "cpu")).toList())),
                "rollout", rollout));
    }

    /** A fleet and its broker link, as the cloud service runs them. */
    record Cloud(Fleet fleet, MqttLink link) implements AutoCloseable {
        @Override
        public void close() {
            fleet.close();
            link.close();
        }
    }

    /** A fleet on {@code config}'s work folder, connected as the cloud (a persistent session, as the service's). */
    Cloud cloud(CloudConfig config, String session) {
        MqttLink link = new MqttLink(MqttLink.Options.of(broker.serverUri(), "cloud." + session)
                .withCredentials("cloud", PASSWORD).withSession(false, 600)
                .withPersistenceDir(dir.resolve("paho-" + session)));
        AuditLog audit = audit(config);
        Fleet f = new Fleet(Fleet.dir(Path.of(config.workDir())), config.rollout(), config::customers, audit,
                System.out);
        f.attach(link, new OtaSender(link, keys.getPrivate(), keys.getPublic(), audit, Duration.ofHours(1),
                config.chunkBytes()));
        link.connect();
        f.start();
        Cloud c = new Cloud(f, link);
        open.add(c);
        return c;
    }

    static AuditLog audit(CloudConfig config) {
        return new AuditLog(Path.of(config.workDir()).resolve("audit.jsonl"));
    }

    /** Model {@code bytes} as release {@code version} for the cpu profile, signed like the cloud signs, valid an hour. */
    Artifact release(String customer, long version, byte[] bytes) throws IOException {
        return release(customer, version, bytes, 3600);
    }

    /** The same, valid for {@code seconds}. */
    Artifact release(String customer, long version, byte[] bytes, long seconds) throws IOException {
        Path f = dir.resolve("releases-" + customer).resolve("edge-v" + version + ".onnx");
        Files.createDirectories(f.getParent());
        Files.write(f, bytes);
        Instant now = Instant.now();
        UpdateManifest m = new UpdateManifest(f.getFileName().toString(), Hashes.sha256Hex(f), bytes.length, version,
                "cpu", "tiny/edge", ClassList.FASHION.names(), now.toString(), now.plusSeconds(seconds).toString(),
                Long.toString(version - 1), "test release", customer);
        return Artifact.sign(m, f, keys.getPrivate(), keys.getPublic(), "delta-" + customer + "-" + version);
    }

    Fleet.Release releaseOf(String customer, Artifact a) {
        Map<String, Artifact> byProfile = new LinkedHashMap<>();
        byProfile.put("cpu", a);
        return new Fleet.Release(customer, a.version(), a.transferId(), byProfile);
    }

    /**
     * Camera {@code id} of {@code customer}, started with v0 and running frames (the sample frame in a loop,
     * 2 per second) on its own thread, a status every second; its broker session lasts an hour.
     */
    EdgeDevice camera(String customer, String id) {
        return camera(customer, id, true);
    }

    /** The same camera enrolled without a model: it waits for its customer's current one over the air. */
    EdgeDevice cameraWithoutModel(String customer, String id) {
        return camera(customer, id, false);
    }

    private EdgeDevice camera(String customer, String id, boolean withModel) {
        Path root = dir.resolve("cam-" + id);
        try (InputStream frame = EdgeDevice.class.getResourceAsStream("/org/diredi/edge/sample-frame.jpg")) {
            Files.createDirectories(root.resolve("frames"));
            Files.write(root.resolve("frames").resolve("f0.jpg"), frame.readAllBytes());
            Files.write(root.resolve("initial.onnx"), model());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EdgeConfig d = EdgeConfig.DEFAULTS;
        EdgeConfig c = new EdgeConfig(new EdgeConfig.Device(customer, id), "cpu", root.resolve("models").toString(),
                withModel ? root.resolve("initial.onnx").toString() : null, new EdgeConfig.Source("folder", root.resolve("frames").toString(),
                        0, null, true, 2),
                new EdgeConfig.Mqtt(true, broker.serverUri(), id, PASSWORD, null, 3600, root.resolve("mqtt").toString(),
                        null, 1, 1000),
                pub.toString(), new EdgeConfig.Decode(0.05f, 0.6f, 100), d.annotate(), new EdgeConfig.Gpio("mock", List.of()),
                1, 1, 0, d.health());
        EdgeDevice cam = EdgeDevice.open(c, Clock.systemUTC());
        Thread frames = new Thread(cam::run, "frames-" + id);
        frames.setDaemon(true);
        frames.start();
        open.add(() -> {
            frames.interrupt(); // the frame loop ends before the camera closes its model
            frames.join(10_000);
            cam.close();
        });
        return cam;
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code seconds}. */
    static void await(int seconds, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (waited " + seconds + " s)");
            Thread.sleep(50);
        }
    }

    /** The version the fleet record says {@code device} runs (-1 before it was heard from). */
    static long version(Fleet f, String customer, String device) {
        DeviceRecord r = f.record().get(customer, device);
        return r == null || r.modelVersion() == null ? -1 : r.modelVersion();
    }

    /** Closes what was opened last first (a fleet before its link, cameras, ...). */
    void closeOpened() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("close: " + e);
            }
        }
        open.clear();
    }

    @Override
    public void close() {
        closeOpened();
        broker.close();
    }
}
