package org.diredi.cloud.fleet;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diredi.cloud.AuditLog;
import org.diredi.messaging.MqttLink;
import org.diredi.messaging.Signed;
import org.diredi.messaging.Topics;
import org.diredi.messaging.TransferSender;
import org.diredi.messaging.UpdateManifest;

/**
 * Sends a signed {@link Artifact} to one camera as a chunked transfer on its OTA topic (its persistent
 * session keeps it while the camera is offline), or once to every camera of a customer and profile on
 * their fan-out topic, re-signing it first when too little of its validity
 * is left, and records every send in the audit log.
 */
public final class OtaSender {

    private final MqttLink link;
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final AuditLog audit;
    private final Duration validity;
    private final int chunkBytes;

    public OtaSender(MqttLink link, PrivateKey key, PublicKey publicKey, AuditLog audit, Duration validity,
                     int chunkBytes) {
        this.link = link;
        this.key = key;
        this.publicKey = publicKey;
        this.audit = audit;
        this.validity = validity;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Sends {@code a} to {@code device}; returns what was sent ({@code a}, or {@code a} signed again when
     * less than a tenth of the validity window, at most an hour, was left).
     *
     * @param why "canary", "rollout", "resend" or "first model", for the audit log
     */
    public Artifact send(String customer, String device, Artifact a, String why) throws IOException {
        Artifact sent = fresh(customer, a);
        TransferSender.send(link, Topics.ota(customer, device), "ota-v" + a.version() + "-" + device,
                sent.envelopeBytes(), sent.path(), chunkBytes, TransferSender.Progress.NONE);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("device", device);
        facts.put("version", a.version());
        facts.put("artifact", sent.path().getFileName().toString());
        facts.put("sha256", sent.sha256());
        facts.put("as", why);
        audit.record("SHIPPED", a.transferId(), customer, facts);
        return sent;
    }

    /**
     * Publishes {@code a} once on its customer's and profile's fan-out topic, which every camera of that
     * customer and profile reads with its persistent session; returns what was sent, or null when the
     * artifact's signed manifest names no customer (such an update goes to each camera's own topic).
     *
     * @param devices the cameras it is meant for, for the audit log
     */
    public Artifact fanOut(String customer, Artifact a, List<String> devices) throws IOException {
        UpdateManifest m = UpdateManifest.fromJson(Signed.fromJson(a.envelopeBytes()).verifiedPayload(publicKey));
        if (!customer.equals(m.targetCustomer())) {
            return null;
        }
        Artifact sent = fresh(customer, a);
        TransferSender.send(link, Topics.profileUpdates(customer, a.profile()), "ota-v" + a.version() + "-"
                + a.profile(), sent.envelopeBytes(), sent.path(), chunkBytes, TransferSender.Progress.NONE);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("profile", a.profile());
        facts.put("devices", devices);
        facts.put("version", a.version());
        facts.put("artifact", sent.path().getFileName().toString());
        facts.put("sha256", sent.sha256());
        facts.put("as", "fan-out");
        audit.record("SHIPPED", a.transferId(), customer, facts);
        return sent;
    }

    /** {@code a}, or {@code a} signed again when less than a tenth of the validity window, at most an hour, is left. */
    private Artifact fresh(String customer, Artifact a) throws IOException {
        Instant now = Instant.now();
        Duration margin = validity.dividedBy(10).compareTo(Duration.ofHours(1)) < 0 ? validity.dividedBy(10)
                : Duration.ofHours(1);
        if (a.validFor(now, margin)) {
            return a;
        }
        Artifact sent = a.resigned(now, validity, key, publicKey);
        audit.record("RESIGNED", a.transferId(), customer, Map.of("profile", a.profile(), "version", a.version(),
                "expiresAt", sent.expiresAt()));
        return sent;
    }
}
