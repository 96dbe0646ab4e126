package org.diredi.edge;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.diredi.edge.capture.FolderSource;
import org.diredi.edge.capture.FrameSource;
import org.diredi.edge.capture.OpenCvSource;
import org.diredi.edge.config.EdgeConfig;
import org.diredi.messaging.Ed25519;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;

/**
 * A whole camera: the inference loop plus its MQTT session. The session is persistent (clean start off,
 * session expiry set), so an update published while the device was offline is delivered when it
 * reconnects; OTA transfers are staged on disk and resume across restarts.
 */
public final class EdgeDevice implements AutoCloseable {

    private final EdgeConfig config;
    private final MqttLink link;
    private final EdgeRuntime runtime;
    private final ExecutorService updates = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "edge-ota");
        t.setDaemon(true);
        return t;
    });

    private EdgeDevice(EdgeConfig config, MqttLink link, EdgeRuntime runtime) {
        this.config = config;
        this.link = link;
        this.runtime = runtime;
    }

    /** Loads the model, connects (when mqtt is enabled) and subscribes to this device's OTA topic. */
    public static EdgeDevice open(EdgeConfig config, Clock clock) {
        DeviceProfile profile = Profiles.resolve(config.profile());
        if (!config.mqtt().enabled()) {
            return new EdgeDevice(config, null, new EdgeRuntime(config, profile, null, null, clock));
        }
        PublicKey trusted = Ed25519.readPublicKey(Path.of(config.trustedKey()));
        EdgeConfig.Mqtt m = config.mqtt();
        String c = config.device().customer();
        String d = config.device().id();
        // The broker ties a client id to its account (user name, or "user.suffix"), so sessions cannot be taken over.
        MqttLink.Options o = MqttLink.Options.of(m.uri(), m.username())
                .withCredentials(m.username(), m.secret())
                .withSession(false, m.sessionExpirySeconds())
                .withPersistenceDir(m.persistenceDir() == null ? null : Path.of(m.persistenceDir()))
                .withCaCertificate(m.caCertificate() == null ? null : Path.of(m.caCertificate()));
        MqttLink link = new MqttLink(o);
        EdgeRuntime runtime = new EdgeRuntime(config, profile, link, trusted, clock);
        EdgeDevice device = new EdgeDevice(config, link, runtime);
        // Subscribe before connecting: a persistent session delivers queued chunks right after CONNACK.
        TransferReceiver receiver = new TransferReceiver(Topics.ota(c, d), Path.of(config.modelDir()).resolve("incoming"),
                profile.maxModelBytes(), new TransferReceiver.Listener() {
                    @Override
                    public void onComplete(TransferReceiver.Transfer t) throws Exception {
                        // Off the MQTT callback thread: the update publishes its report and waits for PUBACK.
                        device.updates.submit(() -> runtime.onUpdate(t.manifest(), t.payload())).get();
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
        receiver.attach(link, 1);
        link.connect();
        runtime.publishStatus();
        return device;
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

    /** Runs the configured source to its end (or maxFrames). */
    public void run() {
        try (FrameSource src = source(config.source())) {
            System.out.println("edge: " + config.device().id() + " runs model version " + runtime.activeVersion()
                    + " on " + src.describe());
            runtime.run(src);
        }
    }

    @Override
    public void close() {
        updates.shutdown();
        runtime.close();
        if (link != null) {
            link.close();
        }
    }
}
