package org.diredi.bench.rollout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.model.ModelStore;
import org.diredi.edge.ota.OtaUpdater;
import org.diredi.edge.ota.UpdateOutcome;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferReceiver;
import org.diredi.profiles.DeviceProfile;
import org.diredi.vision.config.ConfigFiles;

/**
 * A camera as the cloud sees it, without its frames: its own broker account and persistent MQTT v5
 * session, the edge runtime's OTA path on its own topic and its customer's and profile's fan-out topic
 * ({@link TransferReceiver} for the chunks and their hash, {@link
 * OtaUpdater} for the signature, target profile, expiry, version and artifact checks, {@link ModelStore}
 * for the atomic swap), its OTA report and its retained status in the edge runtime's format. Only the
 * inference is left out: {@link #noInference} passes every model that arrives intact, so a thousand of
 * them fit in one JVM.
 */
final class SimulatedCamera implements AutoCloseable {

    /** The health check without ONNX Runtime: the model is on disk and verified; nothing is run. */
    static HealthCheck noInference(DeviceProfile profile) {
        return new HealthCheck(profile, org.diredi.edge.config.EdgeConfig.DEFAULTS.decode().toConfig(), 1) {
            @Override
            public OnnxDetector check(Path onnx, List<String> expectedClasses) {
                return null;
            }
        };
    }

    private final String customer;
    private final String id;
    private final String profile;
    private final MqttLink link;
    private final ModelStore store;
    private final OtaUpdater updater;
    private volatile UpdateOutcome last;
    private volatile Instant appliedAt;

    SimulatedCamera(String uri, String customer, String id, String password, DeviceProfile profile, HealthCheck health,
                    PublicKey trusted, Path dir) {
        this.customer = customer;
        this.id = id;
        this.profile = profile.name();
        // as EdgeDevice: a persistent session, so chunks sent while it reconnects wait at the broker
        this.link = new MqttLink(MqttLink.Options.of(uri, id).withCredentials(id, password).withSession(false, 3600)
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(2)));
        this.store = new ModelStore(dir.resolve("models"));
        this.updater = new OtaUpdater(customer, id, profile.name(), trusted, store, health, d -> { },
                Clock.systemUTC());
        receiver(Topics.ota(customer, id), dir.resolve("incoming"), profile, false).attach(link, 1);
        receiver(Topics.profileUpdates(customer, profile.name()), dir.resolve("incoming-shared"), profile, true)
                .attach(link, 1);
    }

    /** As EdgeDevice: its own OTA topic, and its customer's and profile's fan-out topic (the rest of a rollout). */
    private TransferReceiver receiver(String base, Path staging, DeviceProfile profile, boolean shared) {
        return new TransferReceiver(base, staging, profile.maxModelBytes(), new TransferReceiver.Listener() {
            @Override
            public void onComplete(TransferReceiver.Transfer t) {
                UpdateOutcome o = shared ? updater.applyShared(t.manifest(), t.payload())
                        : updater.apply(t.manifest(), t.payload());
                if (o != null) {
                    applied(o);
                }
            }

            @Override
            public void onFailed(String transferId, String reason) {
                System.err.println("bench: " + id + ": transfer " + transferId + " failed: " + reason);
            }
        });
    }

    /** Installs {@code model} as version 0 (what the camera runs before the rollout). */
    void install(Path model) {
        store.install(0, model, model.getFileName().toString());
        store.activate(0);
    }

    void connect() {
        link.connect();
    }

    private void applied(UpdateOutcome o) {
        last = o;
        if (o.status() == UpdateOutcome.Status.APPLIED) {
            appliedAt = Instant.now();
        }
        link.publish(Topics.otaReport(customer, id), OtaUpdater.toJson(o), 1, false, Map.of());
        publishStatus();
    }

    /** The retained status, as EdgeRuntime's (the fields the cloud's fleet record reads). */
    void publishStatus() {
        Map<String, Object> s = new LinkedHashMap<>();
        ModelStore.Installed m = store.active().orElse(null);
        s.put("device", id);
        s.put("customer", customer);
        s.put("profile", profile);
        s.put("modelVersion", m == null ? -1 : m.version());
        s.put("modelSha256", m == null ? null : m.sha256());
        s.put("modelVersions", store.versions());
        s.put("lastUpdate", last);
        s.put("connection", link.isConnected() ? "online" : "offline");
        s.put("at", Instant.now().toString());
        link.publish(Topics.status(customer, id), ConfigFiles.toJson(s).getBytes(StandardCharsets.UTF_8), 1, true,
                Map.of());
    }

    /** When it applied a version, or null. */
    Instant appliedAt() {
        return appliedAt;
    }

    long activeVersion() {
        return store.active().map(ModelStore.Installed::version).orElse(-1L);
    }

    UpdateOutcome last() {
        return last;
    }

    String id() {
        return id;
    }

    @Override
    public void close() {
        link.close();
    }
}
