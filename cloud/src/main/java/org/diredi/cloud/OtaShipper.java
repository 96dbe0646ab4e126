package org.diredi.cloud;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.fleet.Artifact;
import org.diredi.core.checkpoint.Checkpoint;
import org.diredi.core.gate.GateDecision;
import org.diredi.core.provenance.Provenance;
import org.diredi.export.DeviceExport;
import org.diredi.export.ExportException;
import org.diredi.export.ExportManifest;
import org.diredi.export.ProvenanceFiles;
import org.diredi.messaging.Hashes;
import org.diredi.messaging.UpdateManifest;
import org.diredi.profiles.DeviceProfile;
import org.diredi.profiles.Profiles;
import org.diredi.vision.config.ConfigFiles;
import org.diredi.vision.data.DataException;
import org.diredi.vision.io.AtomicFiles;

/**
 * Prepares an edge model for one customer's devices: one export per device profile through
 * {@link DeviceExport} (int8 for an int8 profile, calibrated on the manufacturer's own images), the
 * profile check, then an Ed25519-signed OTA manifest kept beside the artifact (the fleet's staged
 * rollout sends it). An export that does not fit its profile is never signed: the refusal goes to the
 * audit log and the decision instead.
 */
final class OtaShipper {

    /** One release of a customer's edge model. */
    record Release(String customer, String edgePreset, Path edge, List<String> classes, long version,
                   long previousVersion, String transferId) {}

    /** The signed artifact per profile, and per profile why the others were not made. */
    record Prepared(Map<String, Artifact> artifacts, Map<String, String> refused) {
        String summary(String shipped) {
            String s = shipped;
            for (Map.Entry<String, String> e : refused.entrySet()) {
                s += "; not shipped to " + e.getKey() + " devices: " + e.getValue();
            }
            return s;
        }
    }

    /** Images int8 activations are calibrated on (the first of the manufacturer's training split). */
    static final int CALIBRATION_IMAGES = 32;

    private final PrivateKey signingKey;
    private final PublicKey publicKey;
    private final AuditLog audit;
    private final CloudConfig config;

    OtaShipper(PrivateKey signingKey, PublicKey publicKey, AuditLog audit, CloudConfig config) {
        this.signingKey = signingKey;
        this.publicKey = publicKey;
        this.audit = audit;
        this.config = config;
    }

    /** Exports, checks and signs the release once for every profile among {@code devices}. */
    Prepared prepare(Release r, List<CloudConfig.Device> devices, Path job) throws IOException {
        Map<String, List<String>> byProfile = new LinkedHashMap<>();
        devices.forEach(d -> byProfile.computeIfAbsent(d.profile(), k -> new java.util.ArrayList<>()).add(d.id()));
        Map<String, Artifact> artifacts = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : byProfile.entrySet()) {
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
            artifacts.put(e.getKey(), sign(r, p, x.artifact()));
        }
        return new Prepared(artifacts, refused);
    }

    /** Nothing is signed for these devices; the reason goes to the audit log and the decision. */
    private void refuse(Release r, DeviceProfile p, List<String> devices, String why, Map<String, String> refused) {
        refused.put(p.name(), why);
        audit.record("REFUSED", r.transferId(), r.customer(), Map.of("profile", p.name(), "version", r.version(),
                "reason", why, "devices", devices));
    }

    private DeviceExport.Result export(Release r, DeviceProfile p, Path job) throws IOException {
        DeviceExport.Request q = DeviceExport.Request.of(r.edge(), p).withName("edge-v" + r.version());
        if (q.quantizes()) {
            q = q.withCalibration(DeviceExport.calibrationImages(Path.of(config.data()), config.trainSplit(),
                    CALIBRATION_IMAGES));
        }
        return DeviceExport.run(q, job.resolve("export-" + p.name()));
    }

    private Artifact sign(Release r, DeviceProfile p, Path artifact) throws IOException {
        Instant now = Instant.now();
        UpdateManifest m = new UpdateManifest(artifact.getFileName().toString(), Hashes.sha256Hex(artifact),
                java.nio.file.Files.size(artifact), r.version(), p.name(), r.edgePreset(), r.classes(), now.toString(),
                now.plus(Duration.ofHours(config.otaExpiryHours())).toString(), Long.toString(r.previousVersion()),
                "knowledge delta " + r.transferId(), r.customer());
        release(r, p, artifact, m);
        return Artifact.sign(m, artifact, signingKey, publicKey, r.transferId());
    }

    /**
     * The release's provenance beside the artifact ({@link ProvenanceFiles#releasePathFor}): the transfer, the
     * gate's decision on it (the job's gate.json) and the export with its chain back to the data nested.
     */
    private static void release(Release r, DeviceProfile p, Path artifact, UpdateManifest m) throws IOException {
        Path exported = ExportManifest.pathFor(artifact);
        Provenance.Parent from = java.nio.file.Files.exists(exported) ? ExportManifest.read(exported).asParent("export")
                : Checkpoint.read(r.edge()).manifest().asParent("edge model");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("customer", r.customer());
        settings.put("profile", p.name());
        settings.put("version", Long.toString(r.version()));
        settings.put("transfer", r.transferId());
        settings.put("gate", gateSummary(artifact));
        AtomicFiles.writeJson(ProvenanceFiles.releasePathFor(artifact), Provenance.of("release", "edge v"
                + r.version(), List.of(), settings, List.of(from)).identified(m.sha256(), m.createdAt()));
    }

    /**
     * The gate's decision in the job folder the export sits in (at most three folders up): accepted or
     * rejected, mAP before and after.
     */
    private static String gateSummary(Path artifact) {
        Path d = artifact.toAbsolutePath().getParent();
        for (int up = 0; up < 3 && d != null; up++, d = d.getParent()) {
            Path gate = d.resolve("gate.json");
            if (java.nio.file.Files.exists(gate)) {
                try {
                    GateDecision g = ConfigFiles.JSON.readValue(gate.toFile(), GateDecision.class);
                    return String.format("%s, mAP %.4f -> %.4f%s", g.accepted() ? "accepted" : "rejected",
                            g.mapBefore(), g.mapAfter(), g.reasons().isEmpty() ? "" : ", " + g.reasons());
                } catch (IOException e) {
                    return "unreadable " + gate;
                }
            }
        }
        return "none recorded";
    }
}
