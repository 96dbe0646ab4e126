package org.diredi.edge;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import org.diredi.edge.capture.FolderSource;
import org.diredi.edge.capture.FrameSource;
import org.diredi.edge.capture.OpenCvSource;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.edge.outbox.DiskQueue;
import org.diredi.edge.outbox.Outbox;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;

/**
 * A whole camera: the inference loop plus its MQTT session. The camera detects whatever the network
 * does: it starts without its broker, keeps trying to reach it (backing off up to
 * {@code mqtt.maxReconnectDelaySeconds}, forever), and meanwhile queues detection events and OTA reports
 * on disk ({@code <modelDir>/queue}, see {@link Outbox}). The session is persistent (clean start off,
 * session expiry set), so an update published while the device was offline is delivered when it
 * reconnects (updates on its own OTA topic and on its customer's and profile's fan-out topic,
 * {@link Topics#profileUpdates}); OTA transfers are staged on disk and resume across restarts. Signed
 * rollback instructions ({@code .../ota/rollback}) are followed on the same OTA thread, one at a time
 * with updates.
 */
public final class EdgeDevice implements AutoCloseable {

    private final EdgeConfig config;
    private final MqttLink link;
    private final Outbox outbox;
    private final EdgeRuntime runtime;
    private final ExecutorService updates = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "edge-ota");
        t.setDaemon(true);
        return t;
    });

    private EdgeDevice(EdgeConfig config, MqttLink link, Outbox outbox, EdgeRuntime runtime) {
        this.config = config;
        this.link = link;
        this.outbox = outbox;
        this.runtime = runtime;
    }

    /**
     * Loads the model and, when mqtt is enabled, subscribes to this device's OTA topic and connects, or
     * keeps trying in the background when the broker cannot be reached.
     *
     * @throws org.diredi.messaging.RejectedByBroker when the broker refuses the device's credentials
     */
    public static EdgeDevice open(EdgeConfig config, Clock clock) {
        DeviceProfile profile = Profiles.resolve(config.profile());
        if (!config.mqtt().enabled()) {
            return new EdgeDevice(config, null, null, new EdgeRuntime(config, profile, null, null, clock));
        }
        PublicKey trusted = Ed25519.readPublicKey(Path.of(config.trustedKey()));
        String c = config.device().customer();
        String d = config.device().id();
        MqttLink link = new MqttLink(linkOptions(config.mqtt()));
        Outbox outbox = new Outbox(link, new DiskQueue(Path.of(config.modelDir()).resolve("queue"),
                config.mqtt().maxQueued()), Topics.status(c, d));
        EdgeRuntime runtime = new EdgeRuntime(config, profile, outbox, trusted, clock);
        EdgeDevice device = new EdgeDevice(config, link, outbox, runtime);
        try {
            // Subscribe before connecting: a persistent session delivers queued chunks right after CONNACK.
            device.receiver(Topics.ota(c, d), "incoming", runtime::onUpdate).attach(link, 1);
            // The rest of a staged rollout arrives once for every camera of this customer and profile.
            device.receiver(Topics.profileUpdates(c, profile.name()), "incoming-shared", runtime::onSharedUpdate)
                    .attach(link, 1);
            link.subscribe(Topics.otaRollback(c, d), 1, (t, p, u) -> device.updates.submit(() -> runtime.onRollback(p))
                    .get()); // like an update: on the OTA thread, acknowledged once followed or refused
            link.connectAndStayConnected();
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
        outbox.start(runtime::statusJson);
        return device;
    }

    private static MqttLink.Options linkOptions(EdgeConfig.Mqtt m) {
        // The broker ties a client id to its account (user name, or "user.suffix"), so sessions cannot be taken over.
        MqttLink.Options o = MqttLink.Options.of(m.uri(), m.username())
                .withCredentials(m.username(), m.secret())
                .withSession(false, m.sessionExpirySeconds())
                .withPersistenceDir(m.persistenceDir() == null ? null : Path.of(m.persistenceDir()))
                .withCaCertificate(m.caCertificate() == null ? null : Path.of(m.caCertificate()));
        return o.withTimeouts(o.connectTimeout(), o.operationTimeout(), Duration.ofSeconds(m.maxReconnectDelaySeconds()));
    }

    /** Receives OTA transfers into {@code <modelDir>/<staging>} and applies them off the MQTT thread. */
    private TransferReceiver receiver(String otaTopic, String staging, BiConsumer<byte[], Path> apply) {
        DeviceProfile profile = Profiles.resolve(config.profile());
        return new TransferReceiver(otaTopic, Path.of(config.modelDir()).resolve(staging), profile.maxModelBytes(),
                new TransferReceiver.Listener() {
                    @Override
                    public void onComplete(TransferReceiver.Transfer t) throws Exception {
                        // One update at a time, on its own thread; the transfer counts as done once it was applied.
                        updates.submit(() -> apply.accept(t.manifest(), t.payload())).get();
                    }

                    @Override
                    public void onFailed(String id, String reason) {
                        System.err.println("edge: OTA transfer " + id + " failed: " + reason);
                    }

                    @Override
                    public void onCorruptChunk(String id, int index, String reason) {
                        System.err.println("edge: OTA transfer " + id + ": chunk " + index + " dropped: " + reason);
                    }
                });
    }

    /** The configured frame source. */
    public static FrameSource source(EdgeConfig.Source s) {
        return switch (s.type()) {
            case "folder" -> new FolderSource(Path.of(s.path()), s.loop());
            case "video" -> OpenCvSource.video(s.path());
            case "camera" -> OpenCvSource.camera(s.index());
            case "gstreamer" -> OpenCvSource.gstreamer(s.pipeline());
            default -> throw new IllegalArgumentException("unknown source type " + s.type());
        };
    }

    public EdgeRuntime runtime() {
        return runtime;
    }

    public MqttLink link() {
        return link;
    }

    /** Where events and reports wait for the broker; null without mqtt. */
    public Outbox outbox() {
        return outbox;
    }

    /** Runs the configured source to its end (or maxFrames). */
    public void run() {
        try (FrameSource src = source(config.source())) {
            System.out.println("edge: " + config.device().id() + (runtime.hasModel() ? " runs model version "
                    + runtime.activeVersion() : " has no model yet: waiting for its customer's current one over the air,")
                    + " on " + src.describe());
            runtime.run(src);
        }
    }

    @Override
    public void close() {
        updates.shutdown();
        runtime.close();
        if (outbox != null) {
            outbox.close(); // delivers what it can, queues the rest on disk
        }
        if (link != null) {
            link.close();
        }
    }
}
