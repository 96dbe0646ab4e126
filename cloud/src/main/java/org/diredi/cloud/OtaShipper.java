package org.diredi.cloud;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.export.DeviceExport;
import org.diredi.export.ExportException;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Signed;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.messaging.UpdateManifest;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.vision.data.DataException;

/**
 * Ships an edge model to one customer's devices: one export per device profile through
 * {@link DeviceExport} (int8 for an int8 profile, calibrated on the manufacturer's own images), the
 * profile check, then an Ed25519-signed OTA update to each device of that profile. An export that does
 * not fit its profile is never signed: the refusal goes to the audit log and the decision instead.
 */
final class OtaShipper {

    /** One release of a customer's edge model. */
    record Release(String customer, String edgePreset, Path edge, List<String> classes, long version,
                   long previousVersion, String transferId) {}

    /** The devices that were sent the update, and per profile why the others were not. */
    record Shipment(List<String> shipped, Map<String, String> refused) {
        String summary() {
            String s = "shipped to " + shipped.size() + " device(s)";
            for (Map.Entry<String, String> e : refused.entrySet()) {
                s += "; not shipped to " + e.getKey() + " devices: " + e.getValue();
            }
            return s;
        }
    }

    /** Images int8 activations are calibrated on (the first of the manufacturer's training split). */
    static final int CALIBRATION_IMAGES = 32;

    private final MqttLink link;
    private final PrivateKey signingKey;
    private final PublicKey publicKey;
    private final AuditLog audit;
    private final CloudConfig config;

    OtaShipper(MqttLink link, PrivateKey signingKey, PublicKey publicKey, AuditLog audit, CloudConfig config) {
        this.link = link;
        this.signingKey = signingKey;
        this.publicKey = publicKey;
        this.audit = audit;
        this.config = config;
    }

    Shipment ship(Release r, List<CloudConfig.Device> devices, Path job) throws IOException {
        Map<String, List<CloudConfig.Device>> byProfile = new LinkedHashMap<>();
        devices.forEach(d -> byProfile.computeIfAbsent(d.profile(), k -> new ArrayList<>()).add(d));
        List<String> shipped = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Map.Entry<String, List<CloudConfig.Device>> e : byProfile.entrySet()) {
            DeviceProfile p = Profiles.resolve(e.getKey());
            DeviceExport.Result x;
            try {
                x = export(r, p, job);
            } catch (ExportException | DataException ex) {
                refuse(r, p, e.getValue(), "the export failed: " + ex.getMessage(), refused);
                continue;
            }
            if (!x.fits()) {
                refuse(r, p, e.getValue(), "the export does not fit the profile (" + x.violations().size()
                        + " violation(s): " + x.violations().get(0).message()
                        + (x.violations().size() > 1 ? "; ..." : "") + ")", refused);
                continue;
            }
            byte[] signed = sign(r, p, x.artifact());
            for (CloudConfig.Device d : e.getValue()) {
                send(r, d, signed, x.artifact());
                shipped.add(d.id());
            }
        }
        return new Shipment(shipped, refused);
    }

    /** Nothing is signed for these devices; the reason goes to the audit log and the decision. */
    private void refuse(Release r, DeviceProfile p, List<CloudConfig.Device> devices, String why,
                        Map<String, String> refused) throws IOException {
        refused.put(p.name(), why);
        audit.record("REFUSED", r.transferId(), r.customer(), Map.of("profile", p.name(), "version", r.version(),
                "reason", why, "devices", devices.stream().map(CloudConfig.Device::id).toList()));
    }

    private DeviceExport.Result export(Release r, DeviceProfile p, Path job) throws IOException {
        DeviceExport.Request q = DeviceExport.Request.of(r.edge(), p).withName("edge-v" + r.version());
        if (q.quantizes()) {
            q = q.withCalibration(DeviceExport.calibrationImages(Path.of(config.data()), config.trainSplit(),
                    CALIBRATION_IMAGES));
        }
        return DeviceExport.run(q, job.resolve("export-" + p.name()));
    }

    private byte[] sign(Release r, DeviceProfile p, Path artifact) throws IOException {
        Instant now = Instant.now();
        UpdateManifest m = new UpdateManifest(artifact.getFileName().toString(), Hashes.sha256Hex(artifact),
                Files.size(artifact), r.version(), p.name(), r.edgePreset(), r.classes(), now.toString(),
                now.plus(Duration.ofHours(config.otaExpiryHours())).toString(), Long.toString(r.previousVersion()),
                "knowledge delta " + r.transferId());
        return Signed.sign(m.toJson(), signingKey, publicKey).toJson();
    }

    private void send(Release r, CloudConfig.Device d, byte[] signed, Path artifact) throws IOException {
        TransferSender.send(link, Topics.ota(r.customer(), d.id()), "ota-v" + r.version() + "-" + d.id(), signed,
                artifact, config.chunkBytes(), TransferSender.Progress.NONE);
        audit.record("SHIPPED", r.transferId(), r.customer(), Map.of("device", d.id(), "version", r.version(),
                "artifact", artifact.getFileName().toString(), "sha256", Hashes.sha256Hex(artifact)));
    }
}
