package org.diredi.edge.ota;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.function.Consumer;
import org.diredi.edge.model.HealthCheck;
import org.diredi.edge.model.ModelStore;
import org.diredi.inference.OnnxDetector;
import org.diredi.messaging.MessagingException;
import org.diredi.messaging.RollbackInstruction;
import org.diredi.messaging.Signed;
import org.diredi.messaging.SignatureRejected;
import org.diredi.messaging.UpdateManifest;
import org.diredi.vision.config.ConfigFiles;

/**
 * Decides and applies one OTA update, independent of how it arrived. In order, and the first failure
 * is the reported reason: the manifest is signed by the pinned manufacturer key; it targets this
 * device's profile (and its customer, when it names one: an update published to every camera of a
 * customer and profile must); it has not expired; its version is newer than the running one (no downgrade, no
 * replay); the artifact has the manifest's size and SHA-256; the model passes the health check, including its
 * agreement with the running model on the reference frames. Only
 * then does the active-model pointer move, so every failure leaves the previous model running.
 */
public final class OtaUpdater {

    private final String customer;
    private final String device;
    private final String profile;
    private final PublicKey trusted;
    private final ModelStore store;
    private final HealthCheck health;
    private final Consumer<OnnxDetector> swap;
    private final Clock clock;

    /**
     * @param swap receives the checked, loaded new detector once it is active (the runtime swaps it in
     *             between two frames and closes the old one)
     */
    public OtaUpdater(String customer, String device, String profile, PublicKey trusted, ModelStore store,
                      HealthCheck health, Consumer<OnnxDetector> swap, Clock clock) {
        this.customer = customer;
        this.device = device;
        this.profile = profile;
        this.trusted = trusted;
        this.store = store;
        this.health = health;
        this.swap = swap;
        this.clock = clock;
    }

    /** Handles one update sent on this device's own topic: {@code signedManifest} is a {@link Signed} {@link UpdateManifest}. */
    public synchronized UpdateOutcome apply(byte[] signedManifest, Path artifact) {
        return apply(signedManifest, artifact, false);
    }

    /**
     * Handles one update published once to every camera of this device's customer and profile: checked as
     * {@link #apply} is, and its manifest must name this device's customer. An update this device already
     * runs (a canary's, or one its own topic brought first) is ignored, not reported: null.
     */
    public synchronized UpdateOutcome applyShared(byte[] signedManifest, Path artifact) {
        return apply(signedManifest, artifact, true);
    }

    private UpdateOutcome apply(byte[] signedManifest, Path artifact, boolean shared) {
        long active = store.active().map(ModelStore.Installed::version).orElse(-1L);
        UpdateManifest m;
        try {
            m = UpdateManifest.fromJson(Signed.fromJson(signedManifest).verifiedPayload(trusted));
        } catch (SignatureRejected e) {
            return reject(-1, active, e.getMessage());
        } catch (MessagingException e) {
            return reject(-1, active, e.getMessage());
        }
        String bad = targetProblem(m, shared);
        if (bad != null) {
            return reject(m.version(), active, bad);
        }
        if (m.version() <= active) {
            return shared ? null : reject(m.version(), active, "version " + m.version()
                    + " is not newer than the running version " + active + " (downgrade or replay)");
        }
        try {
            bad = m.mismatch(artifact);
            if (bad != null) {
                return reject(m.version(), active, "artifact " + m.artifact() + " does not match its manifest: " + bad);
            }
        } catch (IOException e) {
            return reject(m.version(), active, "artifact unreadable: " + e.getMessage());
        }
        return install(m, artifact, active);
    }

    /** Null when the manifest targets this device's customer (as far as it names one) and profile, and is unexpired. */
    private String targetProblem(UpdateManifest m, boolean shared) {
        if (m.targetCustomer() == null ? shared : !m.targetCustomer().equals(customer)) {
            return "targets customer '" + m.targetCustomer() + "', this device is " + customer + "'s";
        }
        if (!m.targetProfile().equals(profile)) {
            return "targets profile '" + m.targetProfile() + "', this device is '" + profile + "'";
        }
        if (m.isExpired(clock.instant())) {
            return "manifest expired at " + m.expiresAt();
        }
        return null;
    }

    /** Stages the checked artifact, health-checks it, and only then moves the active pointer. */
    private UpdateOutcome install(UpdateManifest m, Path artifact, long active) {
        Path running = store.active().map(store::path).orElse(null);
        ModelStore.Installed staged = store.install(m.version(), artifact, new String(m.toJson(),
                java.nio.charset.StandardCharsets.UTF_8));
        OnnxDetector checked;
        try {
            checked = health.checkUpdate(store.path(staged), m.classes(), running);
        } catch (HealthCheck.Failed e) {
            store.remove(staged.version());
            return UpdateOutcome.of(device, UpdateOutcome.Status.ROLLED_BACK, m.version(), active,
                    "health check failed: " + e.getMessage());
        }
        store.activate(staged.version());
        swap.accept(checked);
        store.prune(2);
        return UpdateOutcome.of(device, UpdateOutcome.Status.APPLIED, m.version(), m.version(), null);
    }

    /**
     * Follows a signed {@link RollbackInstruction}: checked as an update is (signature, this device and
     * profile, expiry), issued after the running model was released and after the last instruction
     * followed (no replay), for a version the store still holds; that model passes the health check
     * before the active pointer moves. Anything else is REJECTED and the running model stays.
     */
    public synchronized UpdateOutcome rollBackTo(String customer, byte[] signedInstruction) {
        long active = store.active().map(ModelStore.Installed::version).orElse(-1L);
        RollbackInstruction r;
        try {
            r = RollbackInstruction.fromJson(Signed.fromJson(signedInstruction).verifiedPayload(trusted));
        } catch (MessagingException e) {
            return refuse(-1, active, e.getMessage());
        }
        String bad = instructionProblem(customer, r, active);
        if (bad != null) {
            return refuse(r.toVersion(), active, bad);
        }
        if (r.toVersion() != active) {
            ModelStore.Installed held = store.get(r.toVersion());
            OnnxDetector checked;
            try {
                checked = health.check(store.path(held), null);
            } catch (HealthCheck.Failed e) {
                return refuse(r.toVersion(), active, "held version " + held.version() + " fails its health check: "
                        + e.getMessage());
            }
            store.markInstructed(r.created()); // first: a kill before the switch leaves no replayable instruction
            store.activate(held.version());
            swap.accept(checked);
        } else {
            store.markInstructed(r.created());
        }
        return UpdateOutcome.of(device, UpdateOutcome.Status.APPLIED, r.toVersion(), r.toVersion(), null,
                UpdateOutcome.ROLLBACK);
    }

    /** Null when the instruction may be followed, else why not. */
    private String instructionProblem(String customer, RollbackInstruction r, long active) {
        if (!r.customer().equals(customer) || !r.device().equals(device)) {
            return "instruction is for device " + r.customer() + "/" + r.device() + ", this is " + customer + "/" + device;
        }
        if (!r.targetProfile().equals(profile)) {
            return "instruction targets profile '" + r.targetProfile() + "', this device is '" + profile + "'";
        }
        if (r.isExpired(clock.instant())) {
            return "instruction expired at " + r.expiresAt();
        }
        java.time.Instant released = releasedAt(active);
        if (released != null && !r.created().isAfter(released)) {
            return "instruction issued at " + r.createdAt() + ", before the running version " + active
                    + " was released (" + released + "): stale or replayed";
        }
        java.time.Instant last = store.instructedAt().orElse(null);
        if (last != null && !r.created().isAfter(last)) {
            return "instruction issued at " + r.createdAt() + ", not after the last one followed (" + last
                    + "): replayed";
        }
        if (!store.versions().contains(r.toVersion())) {
            return "version " + r.toVersion() + " is not in this device's model store (it holds " + store.versions()
                    + ")";
        }
        return null;
    }

    /** When the manufacturer signed the manifest of installed {@code version}; null for a model not from an update. */
    private java.time.Instant releasedAt(long version) {
        if (version < 0) {
            return null;
        }
        try {
            return UpdateManifest.fromJson(store.get(version).origin().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .created();
        } catch (RuntimeException e) {
            return null; // the initial model: its origin is a file name
        }
    }

    /**
     * After a swapped-in model failed on live frames: points the store back at the previous version and
     * returns the outcome to report (the caller loads and swaps the previous model).
     */
    public synchronized UpdateOutcome rollBack(String reason) {
        ModelStore.Installed failed = store.active().orElseThrow();
        ModelStore.Installed prev = store.previous().orElseThrow(() ->
                new IllegalStateException("model version " + failed.version() + " failed (" + reason
                        + ") and there is no previous model to roll back to"));
        store.activate(prev.version());
        store.remove(failed.version());
        return UpdateOutcome.of(device, UpdateOutcome.Status.ROLLED_BACK, failed.version(), prev.version(), reason);
    }

    private UpdateOutcome reject(long version, long active, String reason) {
        return UpdateOutcome.of(device, UpdateOutcome.Status.REJECTED, version, active, reason);
    }

    private UpdateOutcome refuse(long version, long active, String reason) {
        return UpdateOutcome.of(device, UpdateOutcome.Status.REJECTED, version, active, reason, UpdateOutcome.ROLLBACK);
    }

    /** The outcome as the JSON published on the report topic. */
    public static byte[] toJson(UpdateOutcome o) {
        return ConfigFiles.toJson(o).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
