package org.diredi.edge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.diredi.broker.BrokerConfig;
import org.diredi.broker.Passwords;
import org.diredi.edge.capture.Frame;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.gpio.GpioRule;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.vision.config.ConfigFiles;

/** A camera, its broker and the cloud's view of it, for the tests where the network fails. */
final class CameraRig {

    static final String CUSTOMER = "acme";

    private CameraRig() {}

    /** A port nobody listens on right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String password(String user) {
        return user + "-pw";
    }

    /** A broker on {@code port} (0 = any) keeping its sessions and queues in {@code dir}. */
    static BrokerConfig broker(Path dir, int port, String... cameras) {
        List<BrokerConfig.User> users = new ArrayList<>();
        for (String c : cameras) {
            users.add(new BrokerConfig.User(c, Passwords.hash(password(c).toCharArray(), 1000), BrokerConfig.DEVICE,
                    CUSTOMER, c, "cpu"));
        }
        users.add(new BrokerConfig.User("cloud", Passwords.hash(password("cloud").toCharArray(), 1000),
                BrokerConfig.CLOUD, null, null));
        return BrokerConfig.defaults().withPort(port).withDataDir(dir).withUsers(users);
    }

    /**
     * Camera {@code id} under {@code root}: the sample frame's folder as source, threshold 0.05 (the fixture
     * model is tiny), reconnect attempts at most 1 s apart.
     */
    static EdgeConfig camera(Path root, String id, String uri, Path trustedKey, List<GpioRule> rules) {
        EdgeConfig d = EdgeConfig.DEFAULTS;
        Path frames = root.resolve("frames");
        EdgeFixtures.write(frames, "f0.jpg", EdgeDeviceTest.readSample());
        return new EdgeConfig(new EdgeConfig.Device(CUSTOMER, id), "cpu", root.resolve("models").toString(),
                EdgeFixtures.write(root, "initial.onnx", EdgeFixtures.model()).toString(),
                new EdgeConfig.Source("folder", frames.toString(), 0, null, false, 0),
                new EdgeConfig.Mqtt(true, uri, id, password(id), null, 3600, root.resolve("mqtt").toString(), null, 1,
                        1000),
                trustedKey.toString(), new EdgeConfig.Decode(0.05f, 0.6f, 100), d.annotate(),
                new EdgeConfig.Gpio("mock", rules), 10, 1, 0, d.health());
    }

    /** The sample frame as frame number {@code index}. */
    static Frame frame(long index) {
        Frame s = HealthCheck.sampleFrame();
        return new Frame(index, "sample-" + index, s.width(), s.height(), s.bgr(), System.nanoTime());
    }

    /**
     * The cloud's persistent session on {@code camera}'s detection events and OTA reports: while it is
     * away the broker keeps them for it, and Paho reconnects it on its own.
     */
    static final class Cloud implements AutoCloseable {
        final MqttLink link;
        final List<byte[]> events = Collections.synchronizedList(new ArrayList<>());
        final List<UpdateOutcome> reports = Collections.synchronizedList(new ArrayList<>());

        Cloud(String uri, Path paho, String camera) {
            link = new MqttLink(MqttLink.Options.of(uri, "cloud." + camera).withCredentials("cloud", password("cloud"))
                    .withSession(false, 600).withPersistenceDir(paho)
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1)));
            link.subscribe(Topics.detections(CUSTOMER, camera), 1, (t, p, u) -> events.add(p));
            link.subscribe(Topics.otaReport(CUSTOMER, camera), 1, (t, p, u) ->
                    reports.add(ConfigFiles.JSON.readValue(p, UpdateOutcome.class)));
            link.connect();
        }

        /** The frame numbers of the events received (with repeats, if the broker delivered one twice). */
        List<Long> frames() {
            List<Long> out = new ArrayList<>();
            synchronized (events) {
                for (byte[] e : events) {
                    out.add(((Number) read(e).get("frame")).longValue());
                }
            }
            return out;
        }

        @Override
        public void close() {
            link.close();
        }
    }

    static Map<?, ?> read(byte[] json) {
        try {
            return ConfigFiles.JSON.readValue(json, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code condition} holds, failing with {@code what} after {@code seconds}. */
    static void await(int seconds, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " (waited " + seconds + " s)");
            Thread.sleep(50);
        }
    }
}
